"""A few lines of text from a simulate() report, the way the trn2sim binary prints a run."""


def summary(report):
    """The run's time, roofline, engines, HBM traffic and the compiler choices applied."""
    cycles = report.get("neuroncore_cycle_count", 0)
    roof = report.get("roofline", {})
    lines = [f"{report.get('kernel', 'kernel')}: {report['total_time_us']:.3f} us ({cycles} cycles), "
             f"{roof.get('run_over_bound', 0):.2f}x the {roof.get('limited_by', '?')} bound "
             f"({max(roof.get('hbm_bound_us', 0), roof.get('pe_bound_us', 0)):.3f} us)"]
    for core, c in enumerate(report.get("cores", [])):
        parts = [f"dma {c['dma_transfer_count']} transfers {c['dma_active_time_us']:.1f} us"]
        for name, e in c["engines"].items():
            if e["instruction_count"]:
                waits = {k: v for k, v in e["idle_waiting_on_us"].items() if v > 0}
                worst = max(waits, key=waits.get) if waits else None
                wait = f" (waits {waits[worst]:.1f} us on {worst})" if worst else ""
                parts.append(f"{name} {e['instruction_count']} instr {e['busy_percent']:.1f}% busy{wait}")
        lines.append(f"core {core}  " + "   ".join(parts))
    lines.append(f"hbm  read {report['hbm_read_bytes'] / 1e6:.2f} MB  write {report['hbm_write_bytes'] / 1e6:.2f} MB  "
                 f"{report['hbm_achieved_gbps']:.0f} of {report['hbm_peak_gbps']:.0f} GB/s")
    for b in report.get("front_end", {}).get("buffers", []):
        where = f"{b['tile']}:{b['column']}" if b.get("column") else b["tile"]
        lines.append(f"tile {where}  {b['space']} {b['bytes_per_partition']} B x {b['buffers']}: {b['rule']}")
    return "\n".join(lines)
