# Receive loads: by default an interrupt_load{} is network receive
# through m_getcl(M_NOWAIT) -> objcache -> kmalloc, which takes whole
# 128 KiB zones at SYSTEM class and drops packets when it cannot;
# class = "interrupt" takes single pages at VM_ALLOC_INTERRUPT, down to
# the last free page.
. tests/lib.sh
DB=$TMP/k.db
S=tests/scenarios/rx_pressure.lua
$MEMSIM run $S -p class=mbuf --db "$DB" >/dev/null 2>&1
$MEMSIM run $S -p class=interrupt --db "$DB" >/dev/null 2>&1
col() { q "$DB" "select $1 from runs where json_extract(params, '\$.class') = '$2'"; }
floor=$(q "$DB" "select value from counters c join runs r on r.id = c.run_id where name = 'v_interrupt_free_min' and json_extract(params, '\$.class') = 'mbuf'")
check "both runs survive" [ "$(col outcome mbuf)/$(col outcome interrupt)" = survived/survived ]
check "mbuf: packets are dropped and counted ($(col irq_alloc_failures mbuf))" \
	[ "$(col irq_alloc_failures mbuf)" -gt 0 ]
check "mbuf: the first drop is an m_drops event naming m_getcl" \
	[ "$(q "$DB" "select count(*) from events e join runs r on r.id = e.run_id where kind = 'm_drops' and detail like 'rx: m_getcl(M_NOWAIT) returned NULL%' and json_extract(params, '\$.class') = 'mbuf'")" = 1 ]
check "mbuf: SYSTEM class never takes free pages below v_interrupt_free_min ($(col min_free_pages mbuf) >= $floor)" \
	[ "$(col min_free_pages mbuf)" -ge "$floor" ]
check "interrupt: pages go below v_interrupt_free_min ($(col min_free_pages interrupt) < $floor)" \
	[ "$(col min_free_pages interrupt)" -lt "$floor" ]
check "interrupt: no m_getcl, so no m_drops event" \
	[ "$(q "$DB" "select count(*) from events e join runs r on r.id = e.run_id where kind = 'm_drops' and json_extract(params, '\$.class') = 'interrupt'")" = 0 ]
check "mbuf: kmalloc zones take kernel address space beyond the interrupt run's ($(col kva_peak_bytes mbuf) > $(col kva_peak_bytes interrupt))" \
	[ "$(col kva_peak_bytes mbuf)" -gt "$(col kva_peak_bytes interrupt)" ]

# zones{}: declared types with loads on every CPU.
Z=$TMP/z.db
$MEMSIM run tests/scenarios/zones_churn.lua --db "$Z" >/dev/null 2>&1
cnt() { q "$Z" "select value from counters where name = '$1'"; }
check "zones: the run survives" [ "$(q "$Z" "select outcome from runs")" = survived ]
check "zones: vnodes in use near rate x hold = 2000 ($(cnt M_VNODE_inuse))" \
	[ "$(cnt M_VNODE_inuse)" -ge 1600 -a "$(cnt M_VNODE_inuse)" -le 2400 ]
check "zones: namecache entries in use near 16000 ($(cnt M_VFSCACHE_inuse))" \
	[ "$(cnt M_VFSCACHE_inuse)" -ge 14000 -a "$(cnt M_VFSCACHE_inuse)" -le 18000 ]
check "zones: kmalloc_obj types hold whole 32-page slabs ($(cnt M_VNODE_pages), $(cnt M_VFSCACHE_pages))" \
	[ $(( $(cnt M_VNODE_pages) % 32 )) = 0 -a $(( $(cnt M_VFSCACHE_pages) % 32 )) = 0 -a "$(cnt M_VNODE_pages)" -ge 32 ]
check "zones: enough slabs for what is in use (398 vnode-sized objects... $(cnt M_VNODE_pages) pages)" \
	[ $(( $(cnt M_VNODE_pages) / 32 * 250 )) -ge "$(cnt M_VNODE_inuse)" ]
check "zones: the regular kmalloc type takes kmalloc zones ($(cnt kmalloc_zone_pages) pages)" \
	[ "$(cnt kmalloc_zone_pages)" -ge 32 -a "$(cnt M_TEMP_inuse)" -gt 0 ]
check "zones: without a receive load there are no mbufs" [ "$(cnt m_clusters)" = 0 ]
printf 'kernel { zones = { { name = "V", rate = 10 } } }\nprocess { name = "a", run = function(p) end }\n' > "$TMP/nosize.lua"
$MEMSIM run "$TMP/nosize.lua" --db "$TMP/e.db" > "$TMP/out" 2>&1
rc=$?
check "zones: an unknown type without a size is one line, exit 2" \
	[ $rc = 2 -a "$(grep -c "zones\[1\] 'V' needs a size" "$TMP/out")" = 1 ]

# A warm kernel_map (the default) against a cold one, and warmup.
W=$TMP/w.db
$MEMSIM run $S -p boot=cold --db "$W" >/dev/null 2>&1
$MEMSIM run $S -p warmup=2s --db "$W" >/dev/null 2>&1
wc() { q "$W" "select value from counters c join runs r on r.id = c.run_id where name = '$1' and json_extract(params, '\$.boot') = '$2'"; }
wk() { q "$DB" "select value from counters c join runs r on r.id = c.run_id where name = '$1' and json_extract(params, '\$.class') = 'mbuf'"; }
check "warm: page tables of the boot area exist, 131 x 2 MiB at 32 MiB ($(wk kernel_vm_end))" \
	[ "$(wk kernel_vm_end)" -ge $((131 * 2097152)) ]
check "warm: no managed page became a kernel page table ($(wk kernel_pt_pages))" \
	[ "$(wk kernel_pt_pages)" = 0 ]
check "cold: kernel_map starts empty, so slabs need page-table pages ($(wc kernel_pt_pages cold))" \
	[ "$(wc kernel_pt_pages cold)" -gt 0 -a "$(wc kernel_vm_end cold)" -lt $((131 * 2097152)) ]
check "warm: kernel_map holds the boot KVA and kmalloc types in use beyond the cold one's" \
	[ "$(wk kva_used)" -gt "$(wc kva_used cold)" ]
wu="json_extract(params, '\$.warmup') = '2s'"
check "warmup: the run lasts warmup + duration" \
	[ "$(q "$W" "select end_time from runs where $wu")" = 6.0 ]
check "warmup: the receive load's kmalloc zones are wired only after it" \
	[ "$(q "$W" "select (select max(wired) from samples s where s.run_id = r.id and t < 1.95) + 256 < (select max(wired) from samples s where s.run_id = r.id and t >= 2) from runs r where $wu")" = 1 ]
