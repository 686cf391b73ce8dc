"""A palette as HTML bands."""

from __future__ import annotations

import re

from webapp.swatches import swatches_html


def test_bands_are_as_tall_as_their_share_in_a_readable_ink() -> None:
    page = swatches_html([("#ffffff", 0.75), ("#000000", 0.25), ("#ff0000", 0.0)], height=200)
    assert "height:200px" in page
    bands = re.findall(r"flex:([\d.]+) 0 0;min-height:30px;background:(#\w+);color:(#\w+)", page)
    assert bands == [("0.7500", "#ffffff", "#111"), ("0.2500", "#000000", "#f4f4f4")]
    assert ">75%<" in page and ">25%<" in page
