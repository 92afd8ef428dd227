#!/bin/sh
# SMTP-style banner for the drcheck lab proxies (run by socat per TCP connection to port 25).
printf '220 %s.lab.example ESMTP drcheck-lab\r\n' "${1:-proxy}"
