# rustworkx (PyO3/maturin): a weighted graph and its shortest paths (the package needs numpy).
import rustworkx

graph = rustworkx.PyGraph()
a, b, c = graph.add_nodes_from(["a", "b", "c"])
graph.add_edges_from([(a, b, 1.0), (b, c, 2.0), (a, c, 5.0)])
lengths = rustworkx.dijkstra_shortest_path_lengths(graph, a, edge_cost_fn=float)
assert lengths[c] == 3.0, lengths
assert rustworkx.is_connected(graph)
