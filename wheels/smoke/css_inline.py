# css-inline (PyO3/maturin): CSS rules moved into style attributes.
import css_inline

html = "<html><head><style>h1 { color: red; }</style></head><body><h1>Title</h1></body></html>"
inlined = css_inline.inline(html)
assert 'style="color: red;"' in inlined, inlined
assert "<style>" not in inlined
