"""Manual smoke test against a real Discord server. Never run by CI.

    DISCORD_TOKEN=... DISCORD_SMOKE_CHANNEL=<text channel id> \\
        .venv/bin/python scripts/discord_smoke.py [--config config.yaml] [--voice]

Logs in with the bot token, checks the privileged intents were granted, posts a message in the
channel, edits it, sends a small file, runs the core's `hi` and `status` commands through the
same rendering the bot uses, and with `--voice` joins the voice channel of the member given
in DISCORD_SMOKE_MEMBER (an id), speaks one sentence, listens for 10 seconds and reports how
many audio packets arrived and decoded (DAVE included). Prints one line per check and exits
non-zero on the first failure. The token is read from the environment and never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def check(ok: bool, what: str) -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)
    if not ok:
        raise SystemExit(1)


async def smoke(config_path: str | None, channel_id: int, voice: bool) -> None:
    import discord

    from assistant.config import load_config
    from assistant.messages import Request
    from transports.discord.cog_commands import to_user
    from transports.discord.render import render
    from transports.discord.run import DiscordApp

    config = load_config(config_path)
    config.discord.sync_commands = False  # a smoke run must not re-register commands
    token = os.environ["DISCORD_TOKEN"].strip()
    app = DiscordApp(config, token)
    bot = await app.start()
    try:
        await app.wait_ready(60)
        check(bot.user is not None, f"logged in as {bot.user}")
        channel = bot.get_channel(channel_id) or await bot.fetch_channel(channel_id)
        check(isinstance(channel, discord.TextChannel), f"text channel #{channel}")
        assert isinstance(channel, discord.TextChannel)
        guild = channel.guild
        me = guild.me
        check(bool(guild.members), f"member cache has {len(guild.members)} members (intent)")
        perms = channel.permissions_for(me)
        check(perms.send_messages and perms.attach_files, "may send messages and files")
        message = await channel.send(f"Trainer smoke test {time.strftime('%H:%M:%S')} …")
        await message.edit(content=message.content + " edited")
        check(True, "sent and edited a message")
        await channel.send(file=discord.File(io.BytesIO(b"smoke\n"), filename="smoke.txt"))
        check(True, "sent a file")
        assistant = app.assistant
        assert assistant is not None
        for name in ("hi", "status"):
            request = Request(
                command=name,
                user=to_user(me),
                guild_id=str(guild.id),
                channel_id=str(channel.id),
                source="text",
            )
            reply = await assistant.handle(request)
            sent = await channel.send(**render(reply, config.limits.send_file_bytes).kwargs())
            check(reply.ok, f"core command {name} answered (message {sent.id})")
        if voice:
            await smoke_voice(bot, guild)
    finally:
        await app.close()


async def smoke_voice(bot: object, guild: object) -> None:
    import discord

    from audio.tts.factory import build_synthesizer
    from transports.discord.voice.connection import ReceivingVoiceClient
    from transports.discord.voice.playback import DiscordVoiceOutput
    from transports.discord.voice.receiver import VoiceReceiver

    assert isinstance(guild, discord.Guild)
    member = guild.get_member(int(os.environ["DISCORD_SMOKE_MEMBER"]))
    check(member is not None and member.voice is not None, "the member is in a voice channel")
    assert member is not None and member.voice is not None and member.voice.channel is not None
    vc = await member.voice.channel.connect(cls=ReceivingVoiceClient, self_deaf=False)
    frames: dict[int, int] = {}

    def count(user_id: int, pcm: bytes) -> None:
        frames[user_id] = frames.get(user_id, 0) + 1

    receiver = VoiceReceiver(vc, count)
    receiver.start()
    try:
        dave = vc._connection.dave_protocol_version
        check(True, f"joined {vc.channel} (DAVE protocol version {dave})")
        config = getattr(bot, "config")  # noqa: B009 - TrainerBot attribute
        speech = await build_synthesizer(config.voice.tts).synthesize(
            "Trainer smoke test. Please speak now."
        )
        played = await DiscordVoiceOutput(lambda: vc).play(speech)
        check(played, f"played {speech.seconds:.1f} s of speech")
        await asyncio.sleep(10)
        stats = receiver.stats.as_dict()
        print(f"     receive stats: {stats}; frames per user: {frames}")
        check(stats["frames"] > 0, "received and decoded audio")
    finally:
        receiver.stop()
        await vc.disconnect(force=True)


def main() -> int:
    parser = argparse.ArgumentParser(description="Trainer smoke test on a real Discord server")
    parser.add_argument("--config", help="config.yaml (default: TRAINER_CONFIG or ./config.yaml)")
    parser.add_argument(
        "--voice", action="store_true", help="also test voice (needs DISCORD_SMOKE_MEMBER)"
    )
    args = parser.parse_args()
    if not os.environ.get("DISCORD_TOKEN") or not os.environ.get("DISCORD_SMOKE_CHANNEL"):
        print("set DISCORD_TOKEN and DISCORD_SMOKE_CHANNEL (a text channel id)", file=sys.stderr)
        return 2
    asyncio.run(smoke(args.config, int(os.environ["DISCORD_SMOKE_CHANNEL"]), args.voice))
    return 0


if __name__ == "__main__":
    sys.exit(main())
