"""The diagnosis app of lesson 02: a weighted loss, its confusion matrix, and a moved threshold."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, precision_score, recall_score

from nnlearn.widgets.diagnosis import POS_WEIGHTS, DiagnosisModels, diagnosis_data, diagnosis_explorer, scores


# --- diagnosis_explorer ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def diagnosis_app():
    return diagnosis_explorer()


def matrix_shown(app):
    ax = app.figure.axes[1]
    counts = [int(text.get_text()) for text in ax.texts if text.get_animated()]
    return np.array(counts).reshape(2, 2)


def test_diagnosis_data_is_imbalanced():
    X, y = diagnosis_data(400, rng=0)
    assert X.shape == (400, 2) and y.shape == (400,) and y.dtype == np.int64
    assert 0.05 < y.mean() < 0.15


def test_diagnosis_explorer_matrix_matches_scikit_learn(diagnosis_app):
    app = diagnosis_app
    assert set(app.controls) == {"pos_weight", "loss"}
    assert app.controls["pos_weight"].min == 0 and np.isclose(10 ** app.controls["pos_weight"].max, 50)
    app.controls["loss"].value = "weighted"
    app.controls["pos_weight"].value = float(POS_WEIGHTS[6])
    matrix = matrix_shown(app)
    assert matrix.sum() == 400
    # the line drawn is the classifier: recompute its predictions and the matrix
    boundary = next(line for line in app.figure.axes[0].lines if line.get_animated())
    (x0, x1), (y0, y1) = boundary.get_data()
    X, y = diagnosis_data(400, rng=1)
    side = (x1 - x0) * (X[:, 1] - y0) - (y1 - y0) * (X[:, 0] - x0)
    for predicted in ((side > 0).astype(int), (side < 0).astype(int)):
        if np.array_equal(confusion_matrix(y, predicted), matrix):
            break
    else:
        pytest.fail(f"the decision line does not give the matrix shown {matrix.tolist()}")


def test_diagnosis_explorer_weight_trades_precision_for_recall(diagnosis_app):
    app = diagnosis_app
    app.controls["loss"].value = "weighted"
    seen = []
    for value in POS_WEIGHTS:
        renders = app.renders
        app.controls["pos_weight"].value = float(value)
        assert app.renders == renders + 1 and app.message.value == ""
        (tn, fp), (fn, tp) = matrix_shown(app)
        seen.append((tp / (tp + fn), tp / max(tp + fp, 1)))
    recall, precision = np.array(seen).T
    assert recall[-1] > recall[0] + 0.2                   # more sick patients found
    assert precision[-1] < precision[0] - 0.2             # at the cost of more false alarms
    assert "Recall" in app.children[2].value


def test_diagnosis_explorer_plain_loss_ignores_the_slider(diagnosis_app):
    app = diagnosis_app
    app.controls["loss"].value = "weighted"
    app.controls["pos_weight"].value = 1.0
    at_one = matrix_shown(app)
    app.controls["pos_weight"].value = 50.0
    app.controls["loss"].value = "plain"
    assert app.controls["pos_weight"].disabled
    assert np.array_equal(matrix_shown(app), at_one)
    app.controls["loss"].value = "weighted"
    assert not app.controls["pos_weight"].disabled
    assert not np.array_equal(matrix_shown(app), at_one)


def test_diagnosis_explorer_takes_a_value_between_the_stops(diagnosis_app):
    app = diagnosis_app
    app.controls["loss"].value = "weighted"
    app.controls["pos_weight"].value = 3.3
    assert app.message.value == "" and matrix_shown(app).sum() == 400
    assert "3.30" in app.children[2].value


def test_scores_match_scikit_learn():
    rng = np.random.default_rng(0)
    y, predicted = rng.integers(0, 2, 50), rng.integers(0, 2, 50)
    r = scores(y, predicted)
    assert np.array_equal(r["matrix"], confusion_matrix(y, predicted, labels=[0, 1]))
    assert np.isclose(r["recall"], recall_score(y, predicted)) and np.isclose(r["precision"], precision_score(y, predicted))
    assert scores([0, 0], [0, 0])["precision"] == 0.0


def test_diagnosis_explorer_readout_reports_the_moved_threshold_and_calibration(diagnosis_app):
    app = diagnosis_app
    app.controls["loss"].value = "weighted"
    app.controls["pos_weight"].value = float(POS_WEIGHTS[9])
    text = app.children[2].value
    models = DiagnosisModels()
    moved = models.moved_threshold(float(POS_WEIGHTS[9]))
    r = models(float(POS_WEIGHTS[9]))
    assert f"= {moved['threshold']:.3f}: recall {moved['recall']:.2f}, precision {moved['precision']:.2f}" in text
    assert f"Mean predicted p(sick) on the test patients: {r['mean_p']:.3f}" in text
    moved_line = [l for l in app.figure.axes[0].lines if l.get_animated()][1]
    assert len(moved_line.get_xdata()) == 2
