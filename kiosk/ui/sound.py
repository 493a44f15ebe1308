"""Plays the alert sounds shipped in ``resources/sounds`` through miniaudio.

Why miniaudio: QtMultimedia lives in PySide6-Addons (over a hundred MB; the kiosk ships only
PySide6-Essentials), while miniaudio is one small compiled module (~1.7 MB) with ALSA,
PulseAudio, WASAPI and CoreAudio backends and a *null* backend that plays into nothing at real
speed, which is what the tests use to check a sound is really played.

No device is opened until the first sound (no audio thread, no CPU while idle), and the device
stops once the sound is over. A PC without sound is logged once and then stays quiet: a missing
speaker never stops the kiosk.
"""

from __future__ import annotations

import array
import logging
import threading
from collections import deque
from collections.abc import Generator, Sequence
from importlib import resources

import miniaudio

from kiosk.ui.cues import Cue

RATE = 22_050
log = logging.getLogger(__name__)


#: How many plays ``SoundPlayer.played`` keeps.
PLAYED_KEPT = 16


class SoundPlayer:
    """One playback device, opened on first use; a new sound cuts the one playing short.

    ``backends``: which audio systems to try (tests: ``[miniaudio.Backend.NULL]``).
    """

    def __init__(self, backends: Sequence[miniaudio.Backend] | None = None) -> None:
        self._backends = list(backends) if backends is not None else None
        self._device: miniaudio.PlaybackDevice | None = None
        self._broken = False
        self._lock = threading.Lock()
        self._samples: dict[Cue, array.array[int]] = {}
        self._stop_timer: threading.Timer | None = None
        self._playing = 0  # which play() the device is on (a stale stop timer leaves it alone)
        #: The samples handed to the device for the last few plays (tests read what was really
        #: played); bounded, as a kiosk plays reminders for weeks.
        self.played: deque[tuple[Cue, array.array[int]]] = deque(maxlen=PLAYED_KEPT)

    def samples(self, cue: Cue) -> array.array[int]:
        if cue not in self._samples:
            data = resources.files("kiosk.resources").joinpath("sounds", f"{cue.value}.wav")
            decoded = miniaudio.decode(
                data.read_bytes(),
                output_format=miniaudio.SampleFormat.SIGNED16,
                nchannels=1,
                sample_rate=RATE,
            )
            self._samples[cue] = decoded.samples
        return self._samples[cue]

    def play(self, cue: Cue, volume: float) -> bool:
        """Start ``cue`` at ``volume`` (0..1); False if it cannot play (muted, no device)."""
        if volume <= 0 or self._broken:
            return False
        try:
            scaled = array.array("h", (int(s * volume) for s in self.samples(cue)))
            with self._lock:
                device = self._open()
                if device.running:
                    device.stop()
                self._playing += 1
                record = array.array("h")
                self.played.append((cue, record))
                stream = _stream(scaled, record)
                next(stream)  # (miniaudio's generators are primed first)
                device.start(stream)
                if self._stop_timer is not None:
                    self._stop_timer.cancel()
                seconds = len(scaled) / RATE + 0.3
                self._stop_timer = threading.Timer(seconds, self._stop, (self._playing,))
                self._stop_timer.daemon = True
                self._stop_timer.start()
            return True
        except (miniaudio.MiniaudioError, OSError, ValueError) as exc:
            self._broken = True
            log.warning("no sound from now on: %s", exc)
            return False

    def _open(self) -> miniaudio.PlaybackDevice:
        if self._device is None:
            kwargs: dict[str, object] = {}
            if self._backends is not None:
                kwargs["backends"] = self._backends
            self._device = miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.SIGNED16,
                nchannels=1,
                sample_rate=RATE,
                buffersize_msec=60,
                app_name="Gett Store Kiosk",
                **kwargs,
            )
        return self._device

    def _stop(self, which: int) -> None:
        with self._lock:
            if which == self._playing and self._device is not None and self._device.running:
                self._device.stop()

    def close(self) -> None:
        with self._lock:
            if self._stop_timer is not None:
                self._stop_timer.cancel()
            if self._device is not None:
                self._device.close()
                self._device = None


def _stream(
    samples: array.array[int], record: array.array[int]
) -> Generator[array.array[int], int, None]:
    """Feeds the device what it asks for; silence once the sound is over."""
    frames = yield array.array("h")
    pos = 0
    while True:
        chunk = samples[pos : pos + frames]
        pos += len(chunk)
        record.extend(chunk)
        if len(chunk) < frames:
            chunk = chunk + array.array("h", bytes(2 * (frames - len(chunk))))
        frames = yield chunk
