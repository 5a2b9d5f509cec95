"""kombu's filesystem transport, made to keep a message until it is acknowledged.

kombu's own filesystem transport (kombu 5.x, ``kombu/transport/filesystem.py``) deletes a message's file the
moment a worker takes it; an unacknowledged message then lives only in that worker's memory, and is written
back only on a clean shutdown (``QoS.restore_unacked_once``). A worker killed with SIGKILL, by the OOM killer
or a power cut loses it, whatever ``acks_late`` says. Redis keeps unacknowledged messages on the server and
redelivers them after its visibility timeout; this transport does the same on the embedded default:

* taking a message moves (``rename``, atomic on one filesystem, so exactly one consumer wins) its file into
  a directory of its own under ``unacked_folder``, locked with ``flock`` for the consumer's lifetime;
* an ack (or a reject, or the clean-shutdown restore) deletes the file there;
* any consumer that finds a directory whose lock it can take — its owner is dead, and the kernel released
  the lock — moves the files back into the queue, where the next worker takes them (at start and every
  ``recover_every`` seconds while it polls).

Delivery is therefore at least once: a message taken just before its worker died runs again. That is why
only idempotent tasks may be acknowledged late (every task of this project is; see ``config/settings``).
``unacked_folder`` must be on the same local filesystem as the queue (``rename`` and ``flock``).
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
import uuid

from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads
from kombu.utils.objects import cached_property


class Channel(filesystem.Channel):
    _claim_dir: str | None = None
    _claim_lock = None
    _recovered_at = 0.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._claimed: dict[str, str] = {}  # delivery tag → the claimed file
        self._no_ack_queues: set[str] = set()  # broadcast and pidbox queues: nothing to keep

    @cached_property
    def unacked_folder(self) -> str:
        return self.transport_options.get("unacked_folder") or os.path.join(
            self.data_folder_in, os.pardir, "unacked"
        )

    @cached_property
    def recover_every(self) -> float:
        return float(self.transport_options.get("recover_every", 30))

    # --- claiming ---------------------------------------------------------------------------------------

    def _claims(self) -> str:
        """This consumer's directory, created and locked at its first take (publishers never take)."""
        if self._claim_dir is None:
            os.makedirs(self.unacked_folder, exist_ok=True)
            name = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:12]}"
            directory = os.path.join(self.unacked_folder, name)
            os.makedirs(directory)
            # Locked under a private name, then renamed (the lock stays with the open file): no recoverer
            # ever sees this lock file unlocked and takes a live consumer for a dead one.
            lock = open(directory + ".lock-new", "a+b")  # noqa: SIM115 (held open for the channel's life)
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.rename(directory + ".lock-new", directory + ".lock")
            self._claim_lock, self._claim_dir = lock, directory
        return self._claim_dir

    def _get(self, queue):
        """Take the oldest message of ``queue``, keeping its file until it is acknowledged."""
        if time.monotonic() - self._recovered_at > self.recover_every:
            self.recover_abandoned()
        wanted = f"{queue}.msg"
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(self._claims(), filename)
            try:
                os.rename(os.path.join(self.data_folder_in, filename), claimed)
            except OSError:
                continue  # another consumer took it first
            with open(claimed, "rb") as f:
                payload = loads(bytes_to_str(f.read()))
            if queue in self._no_ack_queues:
                os.remove(claimed)
            else:
                self._claimed[payload["properties"]["delivery_tag"]] = claimed
            return payload
        raise filesystem.Empty()

    def _forget(self, delivery_tag) -> None:
        path = self._claimed.pop(delivery_tag, None)
        if path is not None:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass

    def basic_consume(self, queue, no_ack, *args, **kwargs):
        (self._no_ack_queues.add if no_ack else self._no_ack_queues.discard)(queue)
        return super().basic_consume(queue, no_ack, *args, **kwargs)

    def basic_get(self, queue, no_ack=False, **kwargs):
        message = super().basic_get(queue, no_ack=no_ack, **kwargs)
        if message is not None and no_ack:
            self._forget(message.delivery_tag)
        return message

    def basic_ack(self, delivery_tag, multiple=False):
        super().basic_ack(delivery_tag, multiple=multiple)
        self._forget(delivery_tag)

    def basic_reject(self, delivery_tag, requeue=False):
        super().basic_reject(delivery_tag, requeue=requeue)  # a requeue writes it back through _restore
        self._forget(delivery_tag)

    def _restore(self, message):
        super()._restore(message)  # a fresh file in the queue first, then the claim goes: never neither
        self._forget(message.delivery_tag)

    def close(self):
        super().close()  # restores what is unacknowledged (a clean shutdown) through _restore
        if self._claim_dir is not None:
            try:
                os.rmdir(self._claim_dir)  # left in place if anything is still claimed: recovered later
            except OSError:
                pass
            else:
                os.remove(self._claim_dir + ".lock")
            self._claim_lock.close()
            self._claim_dir = None

    # --- recovery ---------------------------------------------------------------------------------------

    def recover_abandoned(self) -> int:
        """Put back into the queue every message claimed by a consumer that is gone. Returns how many."""
        self._recovered_at = time.monotonic()
        try:
            names = os.listdir(self.unacked_folder)
        except FileNotFoundError:
            return 0
        restored = 0
        for name in names:
            if not name.endswith(".lock"):
                continue
            directory = os.path.join(self.unacked_folder, name[: -len(".lock")])
            if directory == self._claim_dir:
                continue
            try:
                lock = open(os.path.join(self.unacked_folder, name), "rb")  # noqa: SIM115
            except FileNotFoundError:
                continue
            with lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its consumer is alive
                for filename in sorted(os.listdir(directory)) if os.path.isdir(directory) else ():
                    try:
                        os.rename(
                            os.path.join(directory, filename), os.path.join(self.data_folder_in, filename)
                        )
                        restored += 1
                    except OSError:
                        pass
                for path, remove in ((directory, os.rmdir), (lock.name, os.remove)):
                    try:
                        remove(path)
                    except OSError:
                        pass
        return restored


class Transport(filesystem.Transport):
    Channel = Channel
