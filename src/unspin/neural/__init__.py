"""Neural parts shared by the accurate tiers: the encoder runtime
(:mod:`.encoder`), the one-pass-per-article cache (:mod:`.shared`) and the
numpy layers of the small heads trained on top of it (:mod:`.layers`)."""
