"""Summarises `perf script -F ip,sym` output (demangled) of derper: where the Swift runtime and libc time
(retain/release, malloc/free, exclusivity checks, hashing, memmove) comes from, attributed to the first
caller that is neither, and the inclusive share of derper's own relay/STUN functions.
Usage: perf script -i perf.data -F ip,sym | swift demangle --simplified | python3 perf-callers.py [N]"""
import collections
import re
import sys

HELPERS = re.compile(r'swift_|libswiftCore|libc\.so|ld-linux|malloc|_int_|free|memmove|memcpy|AccessSet|RefCounts|Hasher|unlink_chunk|doDecrementSlow|__tls_get_addr|kernel|\[unknown\]')
samples=[];cur=[]
for line in sys.stdin:
    line=line.rstrip('\n')
    if not line.strip():
        if cur: samples.append(cur); cur=[]
        continue
    if line.startswith('\t') or line.startswith(' '):
        parts=line.strip().split(' ',1)
        if len(parts)==2: cur.append(parts[1])
if cur: samples.append(cur)
total=len(samples)
own=collections.Counter(); leafcaller=collections.Counter()
for s in samples:
    if not s: continue
    leaf=s[0]
    if HELPERS.search(leaf):
        caller=next((f for f in s[1:] if not HELPERS.search(f)), '?')
        leafcaller[caller]+=1
    else:
        own[leaf]+=1
incl=collections.Counter()
for s in samples:
    seen=set()
    for f in s:
        k=re.sub(r'\+0x[0-9a-f]+','',f)
        if k in seen: continue
        seen.add(k); incl[k]+=1
print("total samples", total)
print("--- runtime/libc time (retain/release/malloc/exclusivity/hash/memcpy) attributed to first non-runtime caller:")
for k,v in leafcaller.most_common(int(sys.argv[1]) if len(sys.argv)>1 else 25): print(f"{100*v/total:6.2f}%  {k}")
print("--- inclusive (frame anywhere on stack):")
for k,v in incl.most_common(60):
    if 'DERP' in k or 'STUN' in k or 'Registry' in k or 'Queue' in k or 'Metrics' in k or 'Counter' in k or 'RateLimit' in k or 'TokenBucket' in k: print(f"{100*v/total:6.2f}%  {k}")
