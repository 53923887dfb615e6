"""User administration for admins: the Users page and API (list, add, disable and enable, reset a
password, unlock a sign-in lock), every change audited."""
