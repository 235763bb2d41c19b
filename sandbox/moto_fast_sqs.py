"""moto_server whose SQS reads the clock without datetime arithmetic, so a queue of thousands stays usable.

moto 5 decides whether each message is visible or delayed by converting `datetime` objects (about 30 us a
call), and it does so for every message in the queue on every send (`queue.attributes` counts them), every
receive and every GetQueueAttributes: importing 2,000 tenants took 105 s, all of it in moto. The same
instant from `time.time()` costs well under a microsecond; every answer is the one moto would give.

Usage: python3 moto_fast_sqs.py [moto_server arguments]   (or import it and call patch())
"""
import sys
import time

from moto.core import utils as _utils
from moto.sqs import models as _sqs

_unix_time, _unix_time_millis = _utils.unix_time, _utils.unix_time_millis


def _now(dt=None):
    return time.time() if dt is None else _unix_time(dt)


def _now_millis(dt=None):
    return time.time() * 1000.0 if dt is None else _unix_time_millis(dt)


def patch():
    _sqs.unix_time, _sqs.unix_time_millis = _now, _now_millis


if __name__ == "__main__":
    patch()
    from moto.server import main  # noqa: E402  (after the patch, like moto_server itself)

    main(sys.argv[1:])
