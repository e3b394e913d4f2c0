"""The wait before each retry, shared by the consumer's handler retries and the sender's."""

from common.backoff import backoff_delay


def test_backoff_grows_and_is_capped():
    assert [backoff_delay(n, 0.5, cap_s=3) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3]
