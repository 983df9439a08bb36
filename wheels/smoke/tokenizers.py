# tokenizers (PyO3/maturin): a word-level tokenizer built in memory.
from tokenizers import Tokenizer, models, pre_tokenizers

tokenizer = Tokenizer(models.WordLevel({"hello": 0, "world": 1, "[UNK]": 2}, unk_token="[UNK]"))
tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
assert tokenizer.encode("hello world").ids == [0, 1]
assert tokenizer.encode("hello there").ids == [0, 2]
assert tokenizer.decode([0, 1]) == "hello world"
