"""Names under which model libraries are handed to dlopen.

glibc's dlopen returns an already loaded object whose *name* matches before
it looks at the file. Compile a model to ``m.so``, load it, compile another
model to the same ``m.so`` and load that while the first is alive, and dlopen
hands back the first model's code (the compiler replaces the file, so it is a
new file under the old name). From Python, where recompiling in place is the
natural loop, that would run stale kernels.

So every load goes through a name never used before in this process: a
symbolic link ``<private temp dir>/<n>.so`` to the library, removed again once
the runtime has loaded it. glibc still recognises the *file*: the same file
loaded twice is one library. The names are never reused, so no later load can
match an earlier one. Should the link not be possible the plain path is used.
"""

import atexit
import itertools
import os
import shutil
import tempfile
import threading

_lock = threading.Lock()
_counter = itertools.count()
_dir = None  # (pid, path): a fork gets a folder of its own


def _private_dir():
    global _dir
    pid = os.getpid()
    if _dir is None or _dir[0] != pid:
        path = tempfile.mkdtemp(prefix="wasmgraph-dl-")
        atexit.register(shutil.rmtree, path, True)
        _dir = (pid, path)
    return _dir[1]


class LibraryName:
    """A dlopen name for one load: ``name`` (bytes) until ``done()``."""

    __slots__ = ("name", "_link")

    def __init__(self, name, link=None):
        self.name = name
        self._link = link

    def done(self):
        """The runtime has the library (or failed): the link can go."""
        link, self._link = self._link, None
        if link is not None:
            try:
                os.unlink(link)
            except OSError:
                pass


def fresh_name(path):
    """A LibraryName for ``path`` (bytes) that no earlier load used."""
    try:
        target = os.path.abspath(path)
        with _lock:
            link = os.path.join(os.fsencode(_private_dir()), b"%d.so" % next(_counter))
        os.symlink(target, link)
    except OSError:
        return LibraryName(path)
    return LibraryName(link, link)
