"""The self-checks' prediction checks: a right answer opens its explanation, a wrong one is told
where to look, and the answer is nowhere in the cell."""

import contextlib
import io

import pytest

from nnlearn.selfcheck import CheckFailed, Checks, seal


def run(check_body):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            with Checks("p") as check:
                check_body(check)
        except CheckFailed:
            return False, out.getvalue()
    return True, out.getvalue()


WHY = "MSE's correction is 2d: 2 at miss 1, 6 at miss 3"


@pytest.mark.parametrize("answer", [3, 3.0, "3", 3.2, 2.6])
def test_a_right_number_opens_the_explanation(answer):
    token = seal(3, WHY, digits=0)
    passed, out = run(lambda c: c.prediction(answer, token, look="the app at miss 1 and 3", digits=0))
    assert passed and WHY in out


@pytest.mark.parametrize("answer", [9, 2, 3.6, -3])
def test_a_wrong_number_is_told_where_to_look_and_not_the_answer(answer):
    token = seal(3, WHY, digits=0)
    passed, out = run(lambda c: c.prediction(answer, token, look="the app at miss 1 and 3", digits=0))
    assert not passed and "look: the app at miss 1 and 3" in out and WHY not in out and "expected 3" not in out


@pytest.mark.parametrize("answer, problem", [("three", "expected a number"), (None, "expected a number"),
                                             (float("nan"), "expected a finite number")])
def test_an_answer_that_is_no_number_says_so(answer, problem):
    passed, out = run(lambda c: c.prediction(answer, seal(3, WHY, digits=0), look="x", digits=0))
    assert not passed and problem in out


def test_choices_ignore_case_spaces_brackets_and_quotes_and_must_be_an_option():
    token = seal("b", "(b): one straight line")
    for answer in ("b", "B", " (b) ", "'b'"):
        assert run(lambda c: c.prediction(answer, token, look="x", options="abc"))[0]
    passed, out = run(lambda c: c.prediction("d", token, look="x", options=("a", "b", "c")))
    assert not passed and "expected one of 'a', 'b', 'c'" in out
    passed, out = run(lambda c: c.prediction("a", token, look="the picture at 100 epochs", options="abc"))
    assert not passed and "one straight line" not in out and "look: the picture at 100 epochs" in out


def test_the_token_holds_neither_the_answer_nor_the_explanation_in_clear():
    token = seal("x1*x2", "x1 * x2 > 0 exactly when both have the same sign")
    assert "x1" not in token and "sign" not in token
    assert seal("a", WHY) != seal("b", WHY)


def test_predicted_compares_with_a_value_computed_live():
    passed, out = run(lambda c: c.predicted(3.16, 3.1623, look="x", why="the largest rate that settles", digits=2))
    assert passed and "the largest rate that settles" in out
    passed, out = run(lambda c: c.predicted(10, 3.1623, look="the loss curves at 1, 3.16, 10", why="secret", digits=2))
    assert not passed and "secret" not in out and "look: the loss curves" in out


def test_a_failed_prediction_ends_with_where_to_look_not_with_what_was_expected():
    with pytest.raises(CheckFailed, match=r"see above where to look"):
        with contextlib.redirect_stdout(io.StringIO()), Checks("p") as check:
            check.prediction(2, seal(3, WHY, digits=0), look="the app", digits=0)
    with pytest.raises(CheckFailed, match=r"see above what was expected and the hints"):
        with contextlib.redirect_stdout(io.StringIO()), Checks("p") as check:
            check.close(2, 3)


def test_a_float64_answer_to_a_float32_input_fails_the_dtype_check_and_says_what_it_got():
    import numpy as np
    assert run(lambda c: c.dtype(np.ones(3, dtype=np.float32), np.float32, inputs="x float32"))[0]
    passed, out = run(lambda c: c.dtype(np.ones(3), np.float32, inputs="x float32", hint="keep the dtype"))
    assert not passed and "expected float32, got float64" in out and "keep the dtype" in out
    passed, out = run(lambda c: c.dtype(1.5, np.float32))
    assert not passed and "got float" in out


def test_an_input_put_back_by_arithmetic_one_rounding_off_is_not_unchanged():
    import numpy as np
    w = np.array([0.1, 0.7, -2.3])
    before = w.copy()
    assert run(lambda c: c.unchanged(w, before))[0]
    w[1] += 1e-5
    w[1] -= 2e-5
    w[1] += 1e-5                                  # a central difference's nudges: not exactly 0.7 again
    assert w[1] != before[1] and np.allclose(w, before)
    passed, out = run(lambda c: c.unchanged(w, before, inputs="w after the call", hint="put it back"))
    assert not passed and "1 of 3 entries changed" in out and "put it back" in out
    passed, out = run(lambda c: c.unchanged(before.astype(np.float32), before))
    assert not passed and "float64 (3,), now float32 (3,)" in out
