"""Block the running notebook cell until something is true, while widgets keep working.

Why this is needed: ipykernel reads shell messages (widget value changes, button clicks, the next
cells' ``execute_request``) on the same event loop that runs the cell. A cell that sleeps in a loop
blocks that loop, so a ``while not hub.connected: time.sleep(...)`` never sees the click that
would connect the hub, and "Run All" cannot pause at the login cell for a human.

How: every shell message for the shell that runs this cell reaches the kernel through one
``ZMQStream`` and its receive callback (ipykernel 7: the inproc pair from the shell-channel
thread; ipykernel 6: the shell socket itself). While we wait, we put our own callback on that
stream and pull messages with the stream's public ``flush()``:

* comm messages (``comm_open`` / ``comm_msg`` / ``comm_close``: what a widget front end sends) are
  handed at once to the kernel's own comm handlers, so the widget's callbacks run inside the wait;
* everything else (above all the next cells' ``execute_request``) is set aside untouched and given,
  in arrival order, to the kernel's own callback when the wait ends, so those cells run afterwards
  and in order, exactly as if they had arrived then.

Why not nest_asyncio: re-entering the kernel's running loop does not help with ipykernel 7, which
runs every shell message in one shared ``contextvars.Context`` that the waiting cell has already
entered; a nested loop cannot run those tasks (nest_asyncio2 puts them off until the cell ends,
nest_asyncio 1.6 fails them with "cannot enter context"). So the comm messages never get handled.
Taking the messages off the stream ourselves needs no patching of the user's event loop at all.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("hubspot_nb.notebook.kernel_wait")

_COMM_TYPES = ("comm_open", "comm_msg", "comm_close")
_POLL_MS = 100  # longest a wait sleeps between two looks at its condition
_POLLIN = 1  # zmq.POLLIN (a fixed constant): importing this module needs no pyzmq


class CannotWait(RuntimeError):
    """This kernel gives no safe way to handle widget messages while a cell runs."""


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``condition()`` to be true; return its last value.

    On the thread that runs a Jupyter cell, widget messages are handled meanwhile (see the module
    doc). Anywhere else (a terminal, a background thread) nothing blocks the kernel, so a plain
    poll is enough. Raises ``CannotWait`` in a kernel whose message handling we do not know.
    """
    deadline = time.monotonic() + max(0.0, timeout)
    found = _blocked_shell()
    if found is None:
        while not condition() and time.monotonic() < deadline:
            time.sleep(min(_POLL_MS / 1000, max(0.0, deadline - time.monotonic())))
        return bool(condition())
    with _Pump(*found) as pump:
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            pump.handle_messages(min(_POLL_MS, int(left * 1000) + 1))
    return bool(condition())


def _blocked_shell() -> tuple[Any, Any] | None:
    """(kernel, shell stream) when this thread is running a cell of an ipykernel shell, so its
    shell messages wait for us; None outside a kernel or on any other thread."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is None:
        return None
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        return None  # a thread without an event loop runs no kernel shell
    channel_thread = getattr(kernel, "shell_channel_thread", None)
    if channel_thread is not None:  # ipykernel 7: a shell-channel thread forwards to each shell
        manager = channel_thread.manager
        try:
            subshell_id = manager.subshell_id_from_thread_id(threading.get_ident())
        except RuntimeError:
            return None  # not the main shell's thread nor a subshell's
        stream = manager.get_shell_channel_to_subshell_pair(subshell_id).to_stream
    else:  # ipykernel 6: the main thread reads the shell socket itself (not tested here: 7.4 only)
        stream = getattr(kernel, "shell_stream", None)
    if stream is None:
        raise CannotWait("no shell stream found in this kernel")
    if getattr(stream.io_loop, "asyncio_loop", None) is not running:
        return None
    return kernel, stream


class _Pump:
    """Our callback on the kernel's shell stream for the duration of one wait."""

    def __init__(self, kernel: Any, stream: Any) -> None:
        self.kernel = kernel
        self.stream = stream
        self.deferred: list[Any] = []
        handlers = [kernel.shell_handlers.get(t) for t in _COMM_TYPES]
        if not all(handlers) or any(inspect.iscoroutinefunction(h) for h in handlers):
            raise CannotWait("this kernel's comm handlers are not plain functions")
        # ZMQStream has no getter for its callback; we read it to give it back unchanged.
        original = getattr(self.stream, "_recv_callback", None)
        if original is None:
            raise CannotWait("the kernel's shell stream has no receive callback")
        if isinstance(getattr(original, "__self__", None), _Pump):
            raise CannotWait("already waiting in this cell")
        self.original: Callable[[list[Any]], Any] = original
        self.copy = getattr(self.stream, "_recv_copy", False)

    def __enter__(self) -> _Pump:
        self.stream.on_recv(self._on_message, copy=self.copy)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.stream.flush(_POLLIN)  # whatever arrived after the last look is set aside too
        finally:
            # Hand the set-aside messages back first, then give the stream back its callback, so
            # they queue ahead of anything the stream reads from now on (arrival order is kept).
            try:
                for frames in self.deferred:
                    self._replay(frames)
            finally:
                self.deferred = []
                self.stream.on_recv(self.original, copy=self.copy)

    def handle_messages(self, timeout_ms: int) -> None:
        """Sleep until a shell message arrives (or ``timeout_ms``), then take every pending one."""
        if self.stream.socket.poll(timeout_ms, _POLLIN):
            self.stream.flush(_POLLIN)

    def _on_message(self, frames: list[Any]) -> None:
        session = self.kernel.session
        try:
            idents, parts = session.feed_identities(frames, copy=self.copy)
            # content=False only peeks at the header: the signature is not recorded, so the
            # kernel can still read the same message when we hand it back.
            msg_type = session.deserialize(parts, content=False, copy=self.copy)["header"]["msg_type"]
        except Exception:
            log.debug("hubspot_nb: unreadable shell message left for the kernel", exc_info=True)
            self.deferred.append(frames)
            return
        if msg_type not in _COMM_TYPES:
            self.deferred.append(frames)
            return
        try:
            msg = session.deserialize(parts, content=True, copy=self.copy)
            self.kernel.shell_handlers[msg_type](self.stream, idents, msg)
        except Exception:  # a widget callback's error must not end the wait (ipykernel logs it too)
            log.error("hubspot_nb: error while handling a widget message", exc_info=True)

    def _replay(self, frames: list[Any]) -> None:
        try:
            result = self.original(frames)
        except Exception:  # one bad message must not keep the others from the kernel
            log.error("hubspot_nb: a shell message handed back after the wait failed", exc_info=True)
            return
        if inspect.isawaitable(result):  # ipykernel 7's callback is a coroutine function
            # Run it as the stream itself would: a task, kept referenced until done, errors logged.
            task = asyncio.ensure_future(result)
            _REPLAYS.add(task)
            task.add_done_callback(_replayed)


_REPLAYS: set[asyncio.Future[Any]] = set()


def _replayed(task: asyncio.Future[Any]) -> None:
    _REPLAYS.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("hubspot_nb: a shell message handed back after the wait failed", exc_info=task.exception())
