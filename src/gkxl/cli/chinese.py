"""The few English words the command-line library prints itself, said in Chinese: help section titles,
"Usage:", the help option, and usage errors (a clerk or coordinator reads every line gkxl prints)."""

from __future__ import annotations

import re

_ZH = {"Arguments": "参数", "Options": "选项", "Commands": "命令", "default: {default}": "默认：{default}",
       "required": "必需", "Aborted!": "已取消。", "Missing command.": "缺少命令。", "(dynamic)": "（动态）",
       "No such command {name!r}.": "没有这个命令：{name!r}。", "env var: {var}": "环境变量：{var}"}


def _speak_chinese() -> None:
    """Help pages in Chinese: the few words the command-line library prints itself (section titles,
    "Usage:", the help option) are translated where it defines them. Best effort: a library without
    these places is left as it is."""
    import importlib

    def zh(text: str) -> str:
        return _ZH.get(text, text)

    for name in ("typer.core", "typer._click.core", "click.core"):
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(mod, "_"):
            mod._ = zh
        cmd = getattr(mod, "Command", None)
        if cmd is not None and hasattr(cmd, "get_help_option") and not getattr(cmd, "_gkxl_zh", False):
            original = cmd.get_help_option

            def get_help_option(self, ctx, _original=original):
                opt = _original(self, ctx)
                if opt is not None:
                    opt.help = "显示本帮助并退出。"
                return opt
            cmd.get_help_option, cmd._gkxl_zh = get_help_option, True
    for name in ("typer._click.formatting", "click.formatting"):
        try:
            fmt = importlib.import_module(name).HelpFormatter
        except (ImportError, AttributeError):
            continue
        if not getattr(fmt, "_gkxl_zh", False):
            original_usage = fmt.write_usage

            def write_usage(self, prog, args="", prefix=None, _original=original_usage):
                return _original(self, prog, args, "用法：" if prefix is None else prefix)
            fmt.write_usage, fmt._gkxl_zh = write_usage, True


_USAGE = [
    (r"No such option: (.*)", r"没有这个选项：\1"),
    (r"No such command '(.*)'\.?", r"没有这个命令：\1"),
    (r"Missing argument '(.*)'\.?", r"缺少参数：\1"),
    (r"Missing option '(.*)'\.?", r"缺少选项：\1"),
    (r"Option '(.*)' requires an argument\.?", r"选项 \1 需要一个值"),
    (r"Got unexpected extra arguments? \((.*)\)", r"多余的参数：\1"),
    (r"Invalid value for '(.*?)': (.*)", r"参数 \1 的值无效：\2"),
]


def _usage_zh(msg: str) -> str:
    for pat, rep in _USAGE:
        if re.match(pat, msg):
            return re.sub(pat, rep, msg)
    return msg
