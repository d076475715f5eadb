"""The nbclient stall workaround, for everything here that executes notebooks with nbclient.

jupyter/nbclient#312: a cell that creates ipywidgets sometimes blocks until the cell timeout
although the kernel's reply has arrived (6 runs in 100 on these machines, in nbclient, nbconvert,
nbgrader autograde alike). `patch_zmq_polling()` makes the async kernel client poll its sockets
in short slices, which took that to 0 in 60. coursework/robust_grading.py applies it inside
nbgrader; tests/coursework/test_notebooks.py applies it to its own notebook runs.
"""

import time
from queue import Empty


def patch_zmq_polling(slice_seconds=0.2):
    """Make `AsyncZMQSocketChannel.get_msg` wait in slices of 200 ms, up to its timeout as
    before. Idempotent."""
    from jupyter_client.channels import AsyncZMQSocketChannel

    if getattr(AsyncZMQSocketChannel.get_msg, "_nnlearn_sliced", False):
        return
    slice_ms = int(slice_seconds * 1000)

    async def get_msg(self, timeout=None):
        """Gets a message if there is one that is ready (polling in short slices)."""
        assert self.socket is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if deadline is None:
                wait_ms = slice_ms
            else:
                wait_ms = max(0, min(slice_ms, int((deadline - time.monotonic()) * 1000)))
            if await self.socket.poll(wait_ms):
                return await self._recv()
            if deadline is not None and time.monotonic() >= deadline:
                raise Empty

    get_msg._nnlearn_sliced = True
    AsyncZMQSocketChannel.get_msg = get_msg


patch_zmq_polling()
