"""contactsim."""
