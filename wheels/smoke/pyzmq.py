# pyzmq (Cython limited API, built with scikit-build-core): a message over an in-process pair.
import zmq

context = zmq.Context()
left = context.socket(zmq.PAIR)
right = context.socket(zmq.PAIR)
left.bind("inproc://smoke")
right.connect("inproc://smoke")
left.send(b"ping")
assert right.recv() == b"ping"
right.send_multipart([b"a", b"b"])
assert left.recv_multipart() == [b"a", b"b"]
left.close()
right.close()
context.term()
