# Shared by the cleanup_*.sh differential tests. Sourced.
# shellcheck shell=bash

# size_record_check CONF FILE: "size record: consistent" when the size record's content
# offset and content length say where Postfix's postcat -o finds the content and the
# extracted segment, else the numbers. The tests that mask the content offset (it moves
# with the length of the arrival time's microseconds, which postdrop writes) check it
# this way instead.
size_record_check() {
  /usr/sbin/postcat -o -c "$1" "$2" 2>/dev/null | awk '
    /message_size:/ { len = $3; off = $4 }
    want == 1 { data = $1; want = 0 }
    /\*\*\* MESSAGE CONTENTS/ { want = 1 }
    /\*\*\* HEADER EXTRACTED/ { xtra = $1 }
    END {
      if (off == data && xtra - data == len) print "size record: consistent"
      else print "size record: offset " off ", length " len "; content at " data ", extracted at " xtra
    }'
}
