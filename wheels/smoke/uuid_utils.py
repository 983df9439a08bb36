# uuid-utils (PyO3/maturin): UUIDs made in Rust, checked with the standard library.
import uuid

import uuid_utils

seven = uuid_utils.uuid7()
assert seven.version == 7
assert uuid.UUID(str(seven)).version == 7
assert uuid_utils.uuid4() != uuid_utils.uuid4()
assert str(uuid_utils.uuid5(uuid_utils.NAMESPACE_DNS, "python.org")) == str(uuid.uuid5(uuid.NAMESPACE_DNS, "python.org"))
