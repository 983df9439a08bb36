# primp (PyO3/maturin, an HTTP client): a client is built and a refused connection is an error.
import primp

client = primp.Client(timeout=5)
try:
    client.get("http://127.0.0.1:9/")
except Exception as error:
    assert "connect" in str(error).lower() or error.__class__.__name__ != "Exception", error
else:
    raise AssertionError("a request to a closed port succeeded")
