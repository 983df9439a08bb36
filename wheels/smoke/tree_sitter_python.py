# tree-sitter-python (setuptools C, py_limited_api): the grammar's language object.
import tree_sitter_python

language = tree_sitter_python.language()
assert language is not None
assert tree_sitter_python.HIGHLIGHTS_QUERY.strip() if hasattr(tree_sitter_python, "HIGHLIGHTS_QUERY") else True
