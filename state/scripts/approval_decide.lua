-- approval_decide: !approve / !deny / !swap accept|decline on any approval.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, rank, id, 'approve'|'deny', reason
return approval_decide(ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[5]), ARGV[4], ARGV[6], ARGV[7], ARGV[8])
