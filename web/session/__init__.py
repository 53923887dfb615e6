"""Sign-in, sessions, CSRF and the sign-in throttle; the users who sign in."""
