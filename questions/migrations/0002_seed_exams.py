"""Seed the six exam definitions from the published CompTIA objectives.

Idempotent: re-running updates in place and never duplicates. Later exam versions are added
as data in the admin, not here.
"""

import datetime

from django.db import migrations

EXAMS = [
    {
        "slug": "security",
        "code": "SY0-701",
        "name": "CompTIA Security+",
        "pass_mark": 750,
        "position": 10,
        "domains": [
            (
                1,
                "General Security Concepts",
                12,
                [
                    ("1.1", "Types of security controls"),
                    ("1.2", "Fundamental security concepts"),
                    ("1.3", "Change management"),
                    ("1.4", "Cryptographic solutions"),
                ],
            ),
            (
                2,
                "Threats, Vulnerabilities, and Mitigations",
                22,
                [
                    ("2.1", "Threat actors and motivations"),
                    ("2.2", "Threat vectors and attack surfaces"),
                    ("2.3", "Types of vulnerabilities"),
                    ("2.4", "Indicators of malicious activity"),
                    ("2.5", "Mitigation techniques"),
                ],
            ),
            (
                3,
                "Security Architecture",
                18,
                [
                    ("3.1", "Architecture models"),
                    ("3.2", "Securing enterprise infrastructure"),
                    ("3.3", "Protecting data"),
                    ("3.4", "Resilience and recovery"),
                ],
            ),
            (
                4,
                "Security Operations",
                28,
                [
                    ("4.1", "Security techniques for computing resources"),
                    ("4.2", "Asset management"),
                    ("4.3", "Vulnerability management"),
                    ("4.4", "Alerting and monitoring"),
                    ("4.5", "Enhancing enterprise capabilities"),
                    ("4.6", "Identity and access management"),
                    ("4.7", "Automation and orchestration"),
                    ("4.8", "Incident response"),
                    ("4.9", "Data sources for investigations"),
                ],
            ),
            (
                5,
                "Security Program Management and Oversight",
                20,
                [
                    ("5.1", "Security governance"),
                    ("5.2", "Risk management"),
                    ("5.3", "Third-party risk"),
                    ("5.4", "Security compliance"),
                    ("5.5", "Audits and assessments"),
                    ("5.6", "Security awareness"),
                ],
            ),
        ],
    },
    {
        "slug": "network",
        "code": "N10-009",
        "name": "CompTIA Network+",
        "pass_mark": 720,
        "position": 20,
        "domains": [
            (
                1,
                "Networking Concepts",
                23,
                [
                    ("1.1", "OSI reference model"),
                    ("1.2", "Appliances, applications and functions"),
                    ("1.3", "Cloud concepts and connectivity"),
                    ("1.4", "Ports, protocols, services, traffic types"),
                    ("1.5", "Transmission media and transceivers"),
                    ("1.6", "Topologies, architectures, types"),
                    ("1.7", "IPv4 addressing"),
                    ("1.8", "Modern network environments"),
                ],
            ),
            (
                2,
                "Network Implementation",
                20,
                [
                    ("2.1", "Routing technologies"),
                    ("2.2", "Switching technologies"),
                    ("2.3", "Wireless devices and technologies"),
                    ("2.4", "Physical installations"),
                ],
            ),
            (
                3,
                "Network Operations",
                19,
                [
                    ("3.1", "Organizational processes and procedures"),
                    ("3.2", "Network monitoring"),
                    ("3.3", "Disaster recovery"),
                    ("3.4", "IPv4 and IPv6 network services"),
                    ("3.5", "Network access and management methods"),
                ],
            ),
            (
                4,
                "Network Security",
                14,
                [
                    ("4.1", "Basic network security concepts"),
                    ("4.2", "Attacks and their impact"),
                    ("4.3", "Security features, defences and solutions"),
                ],
            ),
            (
                5,
                "Network Troubleshooting",
                24,
                [
                    ("5.1", "Troubleshooting methodology"),
                    ("5.2", "Cabling and physical interfaces"),
                    ("5.3", "Network services"),
                    ("5.4", "Performance issues"),
                    ("5.5", "Tools and protocols"),
                ],
            ),
        ],
    },
    {
        "slug": "a1201",
        "code": "220-1201",
        "name": "CompTIA A+ Core 1 (V15)",
        "pass_mark": 675,
        "position": 30,
        "domains": [
            (1, "Mobile Devices", 13, []),
            (2, "Networking", 23, []),
            (3, "Hardware", 25, []),
            (4, "Virtualization and Cloud Computing", 11, []),
            (5, "Hardware and Network Troubleshooting", 28, []),
        ],
    },
    {
        "slug": "a1202",
        "code": "220-1202",
        "name": "CompTIA A+ Core 2 (V15)",
        "pass_mark": 700,
        "position": 40,
        "domains": [
            (1, "Operating Systems", 28, []),
            (2, "Security", 28, []),
            (3, "Software Troubleshooting", 23, []),
            (4, "Operational Procedures", 21, []),
        ],
    },
    {
        "slug": "a1101",
        "code": "220-1101",
        "name": "CompTIA A+ Core 1",
        "pass_mark": 675,
        "position": 50,
        "retired_on": datetime.date(2025, 9, 25),
        "successor": "a1201",
        "domains": [
            (
                1,
                "Mobile Devices",
                15,
                [
                    ("1.1", "Laptop hardware"),
                    ("1.2", "Mobile display components"),
                    ("1.3", "Mobile accessories and ports"),
                    ("1.4", "Mobile connectivity and apps"),
                ],
            ),
            (
                2,
                "Networking",
                20,
                [
                    ("2.1", "TCP and UDP ports and protocols"),
                    ("2.2", "Networking hardware"),
                    ("2.3", "Wireless protocols"),
                    ("2.4", "Services of networked hosts"),
                    ("2.5", "SOHO networks"),
                    ("2.6", "Network configuration concepts"),
                    ("2.7", "Internet connection and network types"),
                    ("2.8", "Networking tools"),
                ],
            ),
            (
                3,
                "Hardware",
                25,
                [
                    ("3.1", "Cables and connectors"),
                    ("3.2", "RAM"),
                    ("3.3", "Storage devices"),
                    ("3.4", "Motherboards, CPUs, add-on cards"),
                    ("3.5", "Power supplies"),
                    ("3.6", "Multifunction devices and printers"),
                    ("3.7", "Printer consumables"),
                ],
            ),
            (
                4,
                "Virtualization and Cloud Computing",
                11,
                [("4.1", "Cloud computing concepts"), ("4.2", "Client-side virtualization")],
            ),
            (
                5,
                "Hardware and Network Troubleshooting",
                29,
                [
                    ("5.1", "Troubleshooting methodology"),
                    ("5.2", "Motherboard, RAM, CPU, power"),
                    ("5.3", "Storage drives and RAID"),
                    ("5.4", "Video and display"),
                    ("5.5", "Mobile devices"),
                    ("5.6", "Printers"),
                    ("5.7", "Wired and wireless networks"),
                ],
            ),
        ],
    },
    {
        "slug": "a1102",
        "code": "220-1102",
        "name": "CompTIA A+ Core 2",
        "pass_mark": 700,
        "position": 60,
        "retired_on": datetime.date(2025, 9, 25),
        "successor": "a1202",
        "domains": [
            (
                1,
                "Operating Systems",
                31,
                [
                    ("1.1", "Windows editions"),
                    ("1.2", "Windows command-line tools"),
                    ("1.3", "Windows OS features and tools"),
                    ("1.4", "Control Panel utilities"),
                    ("1.5", "Windows settings"),
                    ("1.6", "Windows networking"),
                    ("1.7", "Application installation"),
                    ("1.8", "OS types"),
                    ("1.9", "OS installations and upgrades"),
                    ("1.10", "macOS features and tools"),
                    ("1.11", "Linux features and tools"),
                ],
            ),
            (
                2,
                "Security",
                25,
                [
                    ("2.1", "Security measures"),
                    ("2.2", "Wireless security and authentication"),
                    ("2.3", "Malware"),
                    ("2.4", "Social engineering"),
                    ("2.5", "Windows security settings"),
                    ("2.6", "Workstation security"),
                    ("2.7", "Mobile and embedded devices"),
                    ("2.8", "Data destruction and disposal"),
                    ("2.9", "SOHO network security"),
                    ("2.10", "Browser security"),
                ],
            ),
            (
                3,
                "Software Troubleshooting",
                22,
                [
                    ("3.1", "Windows OS problems"),
                    ("3.2", "PC security issues"),
                    ("3.3", "Malware removal"),
                    ("3.4", "Mobile OS and app issues"),
                    ("3.5", "Mobile security issues"),
                ],
            ),
            (
                4,
                "Operational Procedures",
                22,
                [
                    ("4.1", "Documentation and support systems"),
                    ("4.2", "Change management"),
                    ("4.3", "Backup and recovery"),
                    ("4.4", "Safety"),
                    ("4.5", "Environmental controls"),
                    ("4.6", "Prohibited content, privacy, licensing"),
                    ("4.7", "Communication and professionalism"),
                    ("4.8", "Scripting basics"),
                    ("4.9", "Remote access"),
                ],
            ),
        ],
    },
]


def seed(apps, schema_editor):
    Exam = apps.get_model("questions", "Exam")
    Domain = apps.get_model("questions", "Domain")
    Objective = apps.get_model("questions", "Objective")
    for spec in EXAMS:
        retired_on = spec.get("retired_on")
        exam, _ = Exam.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "code": spec["code"],
                "name": spec["name"],
                "pass_mark": spec["pass_mark"],
                "question_count": 90,
                "time_limit_minutes": 90,
                "score_min": 100,
                "score_max": 900,
                "status": "retired" if retired_on else "current",
                "retired_on": retired_on,
                "position": spec["position"],
            },
        )
        for number, name, weight, objectives in spec["domains"]:
            domain, _ = Domain.objects.update_or_create(
                exam=exam, number=number, defaults={"name": name, "weight_percent": weight}
            )
            for code, title in objectives:
                Objective.objects.update_or_create(
                    domain=domain,
                    code=code,
                    defaults={"title": title, "sort_minor": int(code.split(".")[1])},
                )
    for spec in EXAMS:
        if spec.get("successor"):
            Exam.objects.filter(slug=spec["slug"]).update(
                successor=Exam.objects.get(slug=spec["successor"])
            )


class Migration(migrations.Migration):
    dependencies = [("questions", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
