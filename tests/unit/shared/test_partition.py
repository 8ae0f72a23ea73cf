import random

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2

from shared.kafka.partition import murmur2, partition_for


def test_same_hash_as_aiokafka_for_every_tail_length():
    rng = random.Random(7)
    keys = [rng.randbytes(rng.randint(0, 120)) for _ in range(3000)]
    keys += [b"", b"a", b"ab", b"abc", b"spool:" + b"f" * 64, "ТАСС:20000001".encode()]
    assert [murmur2(key) for key in keys] == [aiokafka_murmur2(key) for key in keys]


def test_known_values_of_the_java_client():
    # From Kafka's own tests (UtilsTest.testMurmur2), as signed 32-bit integers.
    cases = {b"21": -973932308, b"foobar": -790332482, b"a-little-bit-long-string": -985981536}
    for key, signed in cases.items():
        assert murmur2(key) == signed & 0xFFFFFFFF


def test_same_partition_as_the_default_partitioner():
    rng = random.Random(3)
    for count in (1, 3, 6, 12):
        partitions = list(range(count))
        for _ in range(300):
            key = f"feed:{rng.getrandbits(64):x}".encode()
            assert partition_for(key, partitions, partitions) == DefaultPartitioner()(key, partitions, partitions)


def test_no_key_goes_to_an_available_partition():
    assert partition_for(None, [0, 1, 2], [2]) == 2
    assert partition_for(None, [0, 1, 2], []) in {0, 1, 2}
