"""The simulated phone (``/dev/phone/``): every demo phone's texts and OneTouch requests, with
Approve and Deny, so the whole product can be seen on one machine. Only when
``SIMULATED_PHONE`` is on; 404 otherwise."""
