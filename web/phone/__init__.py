"""The browser phone: its SIP credentials and the Asterisk configuration that matches them."""
