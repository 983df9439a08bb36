# nh3 (PyO3/maturin, ammonia): HTML sanitising.
import nh3

assert nh3.clean("<script>alert(1)</script><b>bold</b>") == "<b>bold</b>"
assert nh3.clean_text("<a>") == "&lt;a&gt;"
assert nh3.is_html("<p>x</p>")
