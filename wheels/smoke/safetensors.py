# safetensors (PyO3/maturin): serialise a tensor from raw memory and read it back, without
# numpy or torch.
import ctypes
import struct

from safetensors import TensorSpec, deserialize, serialize

data = struct.pack("<4f", 1.0, 2.0, 3.0, 4.0)
memory = ctypes.create_string_buffer(data, len(data))
spec = TensorSpec(dtype="float32", shape=[2, 2], data_ptr=ctypes.addressof(memory), data_len=len(data))
blob = serialize({"w": spec}, {"format": "pt"})
(name, tensor), = deserialize(bytes(blob))
assert name == "w" and list(tensor["shape"]) == [2, 2], tensor
assert bytes(tensor["data"]) == data
