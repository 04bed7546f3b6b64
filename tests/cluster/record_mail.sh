#!/bin/sh
# record_mail.sh DIR: a sendmail stand-in for the cluster test. Reads one message on stdin (as
# `sendmail -t -i` would) and stores it as DIR/<outbox row>.<pid>.<nanoseconds>.eml, written
# then renamed, so that every delivery, a second one of the same row included, is a file of
# its own. A shell script, not Python: the test delivers hundreds of mails in seconds.
set -eu
dir=$1
f=$dir/${PROVISION_OUTBOX_ID:-0}.$$.$(date +%s%N)
cat >"$f.tmp"
mv "$f.tmp" "$f.eml"
