# cramjam (PyO3/maturin): compression round trips with several codecs.
import cramjam

data = b"stable abi " * 1000
for codec in (cramjam.snappy, cramjam.gzip, cramjam.zstd, cramjam.brotli, cramjam.lz4):
    packed = codec.compress(data)
    assert bytes(codec.decompress(packed)) == data, codec
