# charset-normalizer (mypyc-compiled modules, abi3): detect an encoding, measure mess.
from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

text = "Привет, мир! Это проверка стабильного ABI: расширения работают на новых версиях Python."
best = from_bytes(text.encode("utf_8")).best()
assert best is not None and best.encoding == "utf_8", best
assert str(best) == text
assert 0.0 <= mess_ratio(text) < 0.1
assert mess_ratio("\x00\x01\x02 ÿ¤ §¨©ª «¬ ®¯ °±²³ ´µ¶·", 1.0) > 0.1
