"""When the neural second opinion runs after the grammar recognizer, and why.

The reasons, as `Hearer.second` and the gates read them:

- "rescue": the grammar rejected the speech, or heard a command without the wake phrase where
  one is needed: the neural stage may find the command (audio/scored_gate.py).
- "verify_window": a command without the wake phrase inside a follow-up window: chatter is said
  there, so the neural stage must confirm it.
- "verify_wake": a command after the wake phrase: another name may have been said instead.
- "verify_wake_only": the wake phrase alone: only the wake word is checked
  (audio/wake_verifier.py), since "hey tina" alone would open a window for what follows.
"""

from __future__ import annotations

from assistant.config.voice import SecondOpinionSettings

from .decision import Hearing


def second_opinion_reason(
    first: Hearing, in_window: bool, settings: SecondOpinionSettings
) -> str | None:
    """Why the second opinion must hear what the grammar decided (`first`), or None when the
    grammar's decision stands alone; `in_window`: a follow-up window is open."""
    s = settings
    if first.intent is None and not first.wake_only:
        # Rejected, or no path through the grammar at all: pocketsphinx returns nothing for
        # some noisy or fast speech ("hey trainer, stop" in noise), which the VAD still cut
        # as speech. Silence costs the model little: it reports no speech.
        return "rescue"
    if first.intent is not None and not first.wake:
        if not in_window:
            # A command without the wake phrase where one is needed: often the wake phrase
            # itself went missing ("hey trainer" heard as "hi trainer").
            return "rescue"
        return "verify_window" if s.verify_window else None
    if first.intent is not None and first.wake and s.verify_wake:
        return "verify_wake"
    if first.wake_only and s.verify_wake and s.wake_verifier:
        return "verify_wake_only"
    return None
