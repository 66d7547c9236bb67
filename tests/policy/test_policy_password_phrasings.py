"""Passwords stated the many ways people state them, in Korean, Russian and English, and the
talk about passwords that states none: R-KZ-MIG-4."""

from __future__ import annotations

import pytest

from policy import looks_like_password_disclosure, mask_secrets


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        # Russian
        ("пароль от личного кабинета Qwerty123", "Qwerty123"),
        ("пароль от личного кабинета: ромашка", "ромашка"),
        ("мой пароль от виртуального офиса doterra2024", "doterra2024"),
        ("пароль у меня Zhenya85", "Zhenya85"),
        ("пароль такой: ромашка", "ромашка"),
        ("пароль будет ромашка77", "ромашка77"),
        ("пароль -> ромашка", "ромашка"),
        ("пароль сейчас Qwerty123", "Qwerty123"),
        ("Qwerty123 — мой пароль", "Qwerty123"),
        ("логин 1234567, пароль\nQwerty123", "Qwerty123"),
        ("пароль для ID 1234567 Qwerty1", "Qwerty1"),
        ("құпиясөз: Астана2024", "Астана2024"),
        # English
        ("my password's hunter2", "hunter2"),
        ("my password’s letmein", "letmein"),
        ("password -> hunter2", "hunter2"),
        ("password => hunter2", "hunter2"),
        ("password → s3cret", "s3cret"),
        ("the password for my virtual office is letmein", "letmein"),
        ("password for the VO account: letmein", "letmein"),
        ("my password is now Hunter2", "Hunter2"),
        ("password was sunshine", "sunshine"),
        ("hunter22 is my password", "hunter22"),
        ("pw: 'sunshine'", "sunshine"),
        # Korean
        ("비밀번호는 도테라짱이에요", "도테라짱"),
        ("비번은 qwer1234", "qwer1234"),
        ("비번은요 abcd1234", "abcd1234"),
        ("제 비밀번호는 abcd!234 입니다", "abcd!234"),
        ("비밀번호가 sunshine예요", "sunshine"),
        ("비밀번호: 도테라", "도테라"),
        ("비밀번호 -> abcd1234", "abcd1234"),
        ("비밀번호는 지금 abcd1234", "abcd1234"),
        ("abcd1234가 제 비밀번호예요", "abcd1234"),
        ("비밀번호란 abcd1234", "abcd1234"),
    ],
)
def test_a_stated_password_is_caught_and_masked(text: str, secret: str) -> None:
    """R-KZ-MIG-4: the assistant must never store or repeat a password, however it is put."""
    assert looks_like_password_disclosure(text), repr(text)
    masked = mask_secrets(text)
    assert secret not in masked, repr(masked)
    assert not looks_like_password_disclosure(masked), repr(masked)
    assert mask_secrets(masked) == masked


@pytest.mark.parametrize(
    "text",
    [
        "пароль от личного кабинета не подходит",
        "пароль от личного кабинета забыла, что делать?",
        "не помню пароль от ВО",
        "пароль для ID 1234567 не подходит",
        "какой пароль у меня был?",
        "пароль должен быть из 8 символов",
        "my password's not working",
        "my password's been reset twice",
        "password -> forgot",
        "the password for my account is wrong",
        "What is my password?",
        "password is the same as before",
        "I changed my password for the site yesterday",
        "비밀번호는 뭐예요?",
        "비밀번호가 틀렸어요",
        "비밀번호 4자리 입력하라고 나와요",
        "비밀번호를 잊어버렸어요. 아이디는 1234567이에요",
        "비밀번호는 8자리예요",
        "비밀번호 변경은 어떻게 하나요?",
        "Забыла пароль от ВО, как восстановить?",
        "пароль от кабинета 2 раза вводила",
        "у меня пароль не работает уже 3 дня",
        "password is case sensitive?",
        "password must have 1 digit",
        "pass 2 lavender please",
        "password for KR-2611-000007 order?",
        "my password doesn't work",
        "password isn't working",
        "pin code didn't arrive",
        "my password won't work after the move",
        "password: don't know",
        "password - help!",
        "пароль — помогите, пожалуйста",
        "비밀번호 5회 틀려서 잠겼어요",
        "비밀번호 10번 틀렸어요",
    ],
)
def test_talking_about_a_password_is_not_stating_one(text: str) -> None:
    """Asking for help with a password must reach the flow: it states no password."""
    assert not looks_like_password_disclosure(text), repr(text)
    assert mask_secrets(text) == text
