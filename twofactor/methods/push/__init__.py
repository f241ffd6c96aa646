"""Push: a OneTouch request to the phone app, approved or denied there."""
