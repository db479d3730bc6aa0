from __future__ import annotations

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_current_code(*, device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def demo_totp_code(*, username: str) -> str | None:
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    return totp_current_code(device=device) if device else None
