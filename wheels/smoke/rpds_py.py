# rpds-py (PyO3/maturin): persistent maps, sets and lists.
from rpds import HashTrieMap, HashTrieSet, List

m = HashTrieMap({"a": 1}).insert("b", 2)
assert m["b"] == 2 and len(m) == 2 and m.remove("a") == HashTrieMap({"b": 2})
s = HashTrieSet([1, 2]).insert(3)
assert 3 in s and len(s) == 3
assert list(List([1, 2, 3]).push_front(0)) == [0, 1, 2, 3]
