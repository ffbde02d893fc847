"""The demo province: a seeded inbox of messy but valid submissions (see demo/generate.py)."""

from demo.generate import generate_demo_inbox
from demo.province import PROVINCE_CODE, PROVINCE_NAME

__all__ = ["generate_demo_inbox", "PROVINCE_CODE", "PROVINCE_NAME"]
