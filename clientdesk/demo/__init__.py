"""The demo: a generated book loaded through the paths users use, the demo team, and what the
nightly jobs would have done with it. The top floor: it imports the apps, none imports it."""
