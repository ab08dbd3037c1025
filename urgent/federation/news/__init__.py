"""The public news actor: cases followable from the fediverse (Mastodon and others).

A separate, read-only actor (`/federation/news`, `acct:cases@<host>`), so the urgent-action
protocol between Urgent instances stays strict: it speaks what Mastodon speaks (RSA keys,
draft-cavage HTTP signatures), accepts any Follow, and posts each newly published case as a
`Note` (headline, summary, link to the public page). See docs/federation.md, "Followed from
the fediverse".
"""
