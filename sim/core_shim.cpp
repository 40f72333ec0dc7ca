/*
 * core_shim: the few SimGrid 3.32 services that have no C API — creating
 * the platform (one host with the machine's CPUs) and the engine's
 * deadlock signal.  Only core.c calls these.
 */
#include <simgrid/s4u.hpp>

extern "C" {
void core_shim_platform(int ncpus, double flops);
void core_shim_on_deadlock(void (*cb)(void));
void *core_shim_host(void);
}

static simgrid::s4u::Host *host;

void core_shim_platform(int ncpus, double flops)
{
	auto *zone = simgrid::s4u::create_full_zone("machine");
	host = zone->create_host("cpu", flops);
	host->set_core_count(ncpus);
	host->seal();
	zone->seal();
}

void core_shim_on_deadlock(void (*cb)(void))
{
	simgrid::s4u::Engine::on_deadlock_cb([cb]() { cb(); });
}

void *core_shim_host(void) { return host; }
