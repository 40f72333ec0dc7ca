/*
 * core_shim: the few SimGrid 3.32 services that have no C API — creating
 * the platform (one host with the machine's CPUs, a swap disk and a file
 * disk) and the engine's deadlock signal.  Only core.c calls these.
 */
#include <simgrid/s4u.hpp>

extern "C" {
void core_shim_platform(int ncpus, double flops, double swap_rbw,
    double swap_wbw, double file_rbw);
void core_shim_on_deadlock(void (*cb)(void));
void *core_shim_host(void);
void *core_shim_disk(int which);
}

static simgrid::s4u::Host *host;
static simgrid::s4u::Disk *disks[2];

void core_shim_platform(int ncpus, double flops, double swap_rbw,
    double swap_wbw, double file_rbw)
{
	auto *zone = simgrid::s4u::create_full_zone("machine");
	host = zone->create_host("cpu", flops);
	host->set_core_count(ncpus);
	disks[0] = host->create_disk("swap0", swap_rbw, swap_wbw)->seal();
	disks[1] = host->create_disk("file0", file_rbw, file_rbw)->seal();
	host->seal();
	zone->seal();
}

void core_shim_on_deadlock(void (*cb)(void))
{
	simgrid::s4u::Engine::on_deadlock_cb([cb]() { cb(); });
}

void *core_shim_host(void) { return host; }
void *core_shim_disk(int which) { return disks[which]; }
