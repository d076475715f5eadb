"""nnlearn.widgets.png: the apps' own PNG encoder gives back every pixel, as small as Pillow's."""

import io

import numpy as np
import pytest
from PIL import Image

import nnlearn.widgets as apps
from nnlearn.widgets.png import encode_png


def decode(data):
    return np.asarray(Image.open(io.BytesIO(data)))


@pytest.mark.parametrize("channels", [3, 4])
def test_every_pixel_comes_back(channels):
    pixels = np.random.default_rng(0).integers(0, 256, size=(37, 53, channels), dtype=np.uint8)
    assert np.array_equal(decode(encode_png(pixels)), pixels)


def test_an_apps_picture_is_its_canvas_and_no_larger_than_pillows():
    app = apps.training_explorer()
    try:
        canvas = np.asarray(app._canvas.buffer_rgba())[:, :, :3]
        assert np.array_equal(decode(app.image.value), canvas)
        buffer = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(canvas)).save(buffer, format="png", compress_level=1)
        assert len(app.image.value) < 1.15 * len(buffer.getvalue())
    finally:
        app.close()


@pytest.mark.parametrize("bad, fragment", [
    (np.zeros((4, 4, 3), dtype=np.float64), "uint8"),
    (np.zeros((4, 4), dtype=np.uint8), "(height, width, 3 or 4)"),
    (np.zeros((4, 4, 2), dtype=np.uint8), "(4, 4, 2)"),
])
def test_bad_pixels_are_refused_with_what_came(bad, fragment):
    with pytest.raises(ValueError, match="pixels") as error:
        encode_png(bad)
    assert fragment in str(error.value)
