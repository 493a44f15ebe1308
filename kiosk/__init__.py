"""Gett Store Kiosk: pause and resume a store on the Gett marketplace from a touchscreen."""

__version__ = "0.1.0"
