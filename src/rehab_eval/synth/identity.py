"""Fake identities that follow the real structure: NIK, names, register numbers, facilities.

NIK (Nomor Induk Kependudukan) structure, per Dukcapil: ``PP KK CC DDMMYY SSSS`` — 2-digit
province, 2-digit regency/city (cities 71–99), 2-digit district, birth date as DDMMYY with
40 added to the day for women, and a 4-digit serial among people registered at the same place
with the same birth date. All NIKs made here are fake; serials are allocated so that every NIK
of a run is unique.

References
----------
Direktorat Jenderal Kependudukan dan Pencatatan Sipil; python-stdnum ``stdnum.id.nik``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "FACILITY_VARIANTS",
    "make_names",
    "make_niks",
]

MALE_FIRST = np.array(
    "Agus Budi Dedi Eko Fajar Hendra Irfan Joko Rizky Andi Bayu Dimas Arief Slamet Wahyu Yusuf "
    "Taufik Rahmat Ahmad Muhammad Sigit Bambang Heru Iwan Teguh Adi Rudi Doni Ari Hadi Gilang "
    "Reza Fikri Ilham Yoga Ridwan Hasan Sutrisno Kurniadi Darmawan Indra Aditya Aldi Rangga".split()
)
FEMALE_FIRST = np.array(
    "Siti Sri Dewi Rina Wulan Fitri Nur Ayu Indah Lestari Putri Ratna Yuni Eka Dian Maya Novi "
    "Tri Wati Rahayu Intan Nurul Sari Anisa Mega Desi Yulia Rini Endang Kartika".split()
)
MALE_LAST = np.array(
    "Saputra Pratama Santoso Wibowo Setiawan Hidayat Nugroho Kurniawan Susanto Gunawan "
    "Syahputra Purnomo Hartono Firmansyah Ramadhan Permana Siregar Lubis Harahap Nasution "
    "Prasetyo Utomo Sanjaya Maulana Rahman Effendi Alamsyah Hakim".split()
)
FEMALE_LAST = np.array(
    "Lestari Wulandari Rahayu Handayani Purwanti Safitri Susanti Anggraini Puspitasari Kusuma "
    "Maharani Oktaviani Pertiwi Amalia Utami".split()
)

# Facilities: canonical display name -> spellings seen in exports (the canonical one included).
FACILITY_VARIANTS: dict[str, list[str]] = {
    "Bapas Kelas I Semarang": [
        "Bapas Kelas I Semarang",
        "BAPAS SEMARANG",
        "Bapas Kls. I Smg",
        "Balai Pemasyarakatan Semarang",
        "Bapas Klas I Semarang",
    ],
    "Kelurahan Rejosari": ["Kelurahan Rejosari", "Kel. Rejosari", "KELURAHAN REJOSARI"],
    "Rutan Kelas IIB Banjarnegara": [
        "Rutan Kelas IIB Banjarnegara",
        "RUTAN BANJARNEGARA",
        "Rutan Klas II B Banjarnegara",
        "Rutan Kelas 2B Banjarnegara",
    ],
    "Lapas Narkotika Kelas IIA Palembang": [
        "Lapas Narkotika Kelas IIA Palembang",
        "LAPAS NARKOTIKA PALEMBANG",
        "Lapas Narkotika Klas II A Palembang",
        "LP Narkotika Kelas 2A Plg",
        "Lapas Narkotika Kls. II-A Palembang",
    ],
    "Lapas Kelas I Palembang": [
        "Lapas Kelas I Palembang",
        "LAPAS KELAS I PALEMBANG",
        "LP Klas I Palembang",
        "Lapas Kls. 1 Plg",
    ],
    "Rutan Kelas I Palembang": [
        "Rutan Kelas I Palembang",
        "RUTAN KELAS I PALEMBANG",
        "Rutan Klas I Palembang",
        "Rumah Tahanan Negara Kelas I Palembang",
    ],
    "Lapas Perempuan Kelas IIA Palembang": [
        "Lapas Perempuan Kelas IIA Palembang",
        "LPP Kelas IIA Palembang",
        "LPP Palembang",
        "Lapas Perempuan Klas II A Palembang",
    ],
    "Lapas Narkotika Kelas IIA Muara Beliti": [
        "Lapas Narkotika Kelas IIA Muara Beliti",
        "LP Narkotika Muara Beliti",
        "Lapas Narkotika Kls. IIA Muara Beliti",
    ],
}


def make_niks(
    rng: np.random.Generator,
    region: str | np.ndarray,
    birth: np.ndarray,
    female: np.ndarray,
    serial_start: int = 1,
) -> np.ndarray:
    """Fake NIKs (vectorised) for birth dates ``birth`` (datetime64[D]) and sex.

    ``region`` is the 4-digit province + regency code (e.g. ``"3374"`` Kota Semarang), one
    for all or one per person; the district (01–16) is drawn. The serial is ``serial_start``
    plus the rank of the person among those sharing region, district and birth date, so the
    NIKs are unique.
    """
    n = len(birth)
    region = np.broadcast_to(np.asarray(region, dtype=object), (n,))
    district = rng.integers(1, 17, size=n)
    b = pd.DatetimeIndex(birth)
    day = np.asarray(b.day) + 40 * np.asarray(female, dtype=int)
    prefix = _cat(
        region.astype(str), _z(district, 2), _z(day, 2), _z(b.month, 2), _z(b.year % 100, 2)
    )
    serial = pd.Series(prefix).groupby(prefix).cumcount().to_numpy() + serial_start
    return _cat(prefix, _z(serial, 4)).astype(object)


def _z(values, width: int) -> np.ndarray:
    return np.char.zfill(np.asarray(values).astype(str), width)


def _cat(*parts: np.ndarray) -> np.ndarray:
    out = parts[0]
    for part in parts[1:]:
        out = np.char.add(out, part)
    return out


def make_names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """Plausible Indonesian names (first name and a family or second name; some single)."""
    female = np.asarray(female, dtype=bool)
    n = len(female)
    first = np.where(
        female,
        FEMALE_FIRST[rng.integers(0, len(FEMALE_FIRST), n)],
        MALE_FIRST[rng.integers(0, len(MALE_FIRST), n)],
    )
    last = np.where(
        female,
        FEMALE_LAST[rng.integers(0, len(FEMALE_LAST), n)],
        MALE_LAST[rng.integers(0, len(MALE_LAST), n)],
    )
    single = rng.random(n) < 0.12
    names = pd.Series(first, dtype=object) + " " + pd.Series(last, dtype=object)
    return np.where(single, first, names.to_numpy()).astype(object)
