"""Shared disks before they are cluster resources: Disk Management, in the model.

Before the cluster service is configured, every shared disk must have a signature,
a partition (with its drive letter) and be a *basic* disk; a dynamic disk is not used
by Cluster Server and must be reverted to basic -- an option Disk Management greys
out while the disk still holds a partition or volume (paper, Windows 2000
Clustering Installation Requirements). MSCS then tracks each disk by its signature:
a replaced disk with a new signature is not found (event 1034, KB 280425).

The core only models the Physical Disk resource (its ``disk_type`` property and the
dynamic-disk refusal); this module keeps the disks on the shared bus in
:class:`~labkit.procedures.state.SharedDisk` objects (``cluster.extensions["procedures"]``).

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100")
>>> _ = add_shared_disk(c, "Disk E:", disk_type="dynamic", partitions=1, drive="E:")
>>> revert_to_basic(c, "Disk E:")
Traceback (most recent call last):
labkit.errors.StateError: 'Disk E:' still holds 1 partition or volume: 'Revert to Basic Disk' is greyed out until they are deleted [rule: revert a dynamic disk to basic only once it holds no partition or volume; source: paper, Windows 2000 Clustering Installation Requirements]
>>> delete_volumes(c, "Disk E:"); revert_to_basic(c, "Disk E:")
>>> write_signature(c, "Disk E:")
'23C91E89'
>>> create_partition(c, "Disk E:", "E:")
>>> check_shared_disk(c, "Disk E:").disk_type
'basic'
"""
from __future__ import annotations

import re
import zlib

from ..values import NAME, POSITIVE, USERS, accept, exact, show
from ..errors import ConfigurationError, NameConflictError, NotFoundError, StateError, ValidationError
from .state import SharedDisk, state

SRC_DISKS = "paper, Windows 2000 Clustering Installation Requirements"
SRC_SIGNATURE = "KB 280425 (event 1034: MSCS finds its disks by signature)"
_DRIVE = re.compile(r"[A-Za-z]:")


def _disk(cluster, name) -> SharedDisk:
    s = state(cluster)
    if not isinstance(name, str) or s is None or not NAME.ok(name) or name not in s.disks:
        known = ", ".join(s.disks) if s is not None and s.disks else "none"
        raise NotFoundError(f"no shared disk {show(name)} on the bus of {cluster.name} (known: {known})",
                            rule="commands name disks on the shared bus")
    return s.disks[name]


def _in_use(cluster, d: SharedDisk, what: str) -> None:
    if d.name in cluster.resources:
        raise StateError(f"{show(d.name)} is already a cluster resource; {what} would destroy its data",
                         rule="Disk Management changes disks before the cluster uses them", source=SRC_DISKS)


def _check_drive(cluster, drive, exclude: str | None = None) -> str:
    if not isinstance(drive, str) or not _DRIVE.fullmatch(drive):
        raise ValidationError(f"a drive letter looks like 'E:', not {show(drive)}",
                              rule="a partition gets a drive letter (remember the lettering scheme)",
                              source=SRC_DISKS)
    drive = drive.upper()
    s = state(cluster)
    for other in (s.disks.values() if s is not None else ()):
        if other.name != exclude and other.drive == drive:
            raise NameConflictError(f"drive {drive} is already the letter of {show(other.name)}",
                                    rule="each shared disk has its own drive letter", source=SRC_DISKS)
    return drive


def default_signature(name: str, salt: str = "") -> str:
    """The signature Disk Management writes when a disk is initialised (a deterministic
    stand-in for the random value Windows picks).

    >>> default_signature("Disk Q:")
    '0D67C9DC'
    """
    return f"{zlib.crc32((salt + name).encode()):08X}"


def add_shared_disk(cluster, name: str, *, drive: str | None = None, disk_type: str = "basic",
                    signature: str | None = None, partitions: int | None = None, size_gb: float = 18.2,
                    site: str | None = None) -> SharedDisk:
    """Put a disk (or RAID array) on the shared bus, as it comes from the storage team.
    ``partitions`` defaults to 1 when a ``drive`` is given, else 0."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"a shared disk is named by a string, not {show(name)}", rule="disks are named")
    name = accept(NAME, name, "name")
    s = state(cluster, create=False)
    if s is not None and name in s.disks:
        raise NameConflictError(f"shared disk {show(name)} exists", rule="disk names are unique")
    if disk_type not in ("basic", "dynamic"):
        raise ValidationError(f"disk_type is 'basic' or 'dynamic', not {show(disk_type)}",
                              rule="Windows 2000 disks are basic or dynamic", source=SRC_DISKS)
    if drive is not None:
        drive = _check_drive(cluster, drive)
    parts = (1 if drive else 0) if partitions is None else partitions
    if not USERS.ok(parts) or parts > 128:
        raise ValidationError(f"partitions is a whole number >= 0, not {show(partitions)}", rule="partitions are counted")
    parts = exact(parts)
    if drive is not None and parts == 0:
        raise ValidationError("a drive letter needs a partition", rule="drive letters name partitions")
    if not POSITIVE.ok(size_gb):
        raise ValidationError(f"size_gb is a number > 0, not {show(size_gb)}", rule="disks have a size")
    if site is not None:
        site = accept(NAME, site, "site")
    if signature is not None and (not isinstance(signature, str) or not re.fullmatch(r"[0-9A-Fa-f]{8}", signature)):
        raise ValidationError(f"a disk signature is 8 hex digits, not {show(signature)}", rule="signatures are 32-bit")
    d = SharedDisk(name, drive, disk_type, signature.upper() if signature else None, parts, float(size_gb), site)
    state(cluster, create=True).disks[name] = d
    cluster.record(name, "disk on the shared bus",
                   f"{disk_type}, {parts} partition(s), signature {d.signature or 'none'}")
    return d


def delete_volumes(cluster, name: str) -> None:
    """Delete every partition or volume on the disk (its data is gone)."""
    d = _disk(cluster, name)
    _in_use(cluster, d, "deleting its volumes")
    if d.partitions == 0:
        raise StateError(f"{show(name)} holds no partition or volume", rule="delete what exists")
    d.partitions, d.drive = 0, None
    cluster.record(name, "volumes deleted", "Disk Management")


def revert_to_basic(cluster, name: str) -> None:
    """Disk Management's 'Revert to Basic Disk' -- greyed out while the disk holds a
    partition or volume (paper, Windows 2000 Clustering Installation Requirements)."""
    d = _disk(cluster, name)
    _in_use(cluster, d, "reverting it")
    if d.disk_type == "basic":
        raise StateError(f"{show(name)} is already a basic disk", rule="revert dynamic disks only")
    if d.partitions:
        raise StateError(f"{show(name)} still holds {d.partitions} partition or volume: 'Revert to Basic Disk' is greyed "
                         "out until they are deleted",
                         rule="revert a dynamic disk to basic only once it holds no partition or volume",
                         source=SRC_DISKS)
    d.disk_type = "basic"
    cluster.record(name, "reverted to a basic disk", "Disk Management")


def write_signature(cluster, name: str, signature: str | None = None) -> str:
    """Write a disk signature: a new one when Disk Management initialises the disk, or a
    given one -- the old disk's, written back with DumpCfg after a replacement
    (KB 280425). Returns the signature."""
    d = _disk(cluster, name)
    if signature is None:
        if d.signature is not None:
            raise StateError(f"{show(name)} already has signature {d.signature}", rule="a disk is initialised once")
        signature = default_signature(name)
    elif not isinstance(signature, str) or not re.fullmatch(r"[0-9A-Fa-f]{8}", signature):
        raise ValidationError(f"a disk signature is 8 hex digits, not {show(signature)}", rule="signatures are 32-bit")
    d.signature = signature.upper()
    cluster.record(name, "signature written", d.signature)
    return d.signature


def create_partition(cluster, name: str, drive: str) -> None:
    """Create a primary partition over the disk and give it ``drive``. The disk must have a
    signature first (Disk Management initialises it)."""
    d = _disk(cluster, name)
    _in_use(cluster, d, "partitioning it")
    if d.signature is None:
        raise StateError(f"{show(name)} has no signature; initialise it (write_signature) first",
                         rule="a disk is initialised (signed) before it is partitioned", source=SRC_DISKS)
    if d.partitions:
        raise StateError(f"{show(name)} already holds a partition", rule="one partition per shared disk [D]")
    d.drive = _check_drive(cluster, drive, exclude=name)
    d.partitions = 1
    cluster.record(name, f"partition created as {d.drive}", "Disk Management")


def check_shared_disk(cluster, name: str) -> SharedDisk:
    """Refuse a disk the cluster cannot use: dynamic (with the revert-to-basic fix -- the
    core's Physical Disk rule), without a signature, or without a partition and drive
    letter (paper, Windows 2000 Clustering Installation Requirements)."""
    d = _disk(cluster, name)
    cluster.resource_types["Physical Disk"].validate(cluster, name, "", {"disk_type": d.disk_type})
    if d.signature is None:
        raise ConfigurationError(f"shared disk {show(name)} has no signature; initialise it in Disk Management "
                                 "(write_signature)", rule="shared disks have a signature", source=SRC_DISKS)
    if not d.partitioned:
        raise ConfigurationError(f"shared disk {show(name)} has no partition with a drive letter; create one "
                                 "(create_partition)", rule="shared disks hold a partition with a drive letter",
                                 source=SRC_DISKS)
    return d


def shared_disks(cluster) -> list[dict]:
    """One row per disk on the shared bus."""
    s = state(cluster)
    return [{"disk": d.name, "type": d.disk_type, "signature": d.signature, "partitions": d.partitions,
             "drive": d.drive, "size_gb": d.size_gb, "resource": d.name in cluster.resources}
            for d in (s.disks.values() if s is not None else ())]
