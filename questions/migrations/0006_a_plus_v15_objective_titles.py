"""Titles of the A+ V15 objectives (220-1201, 220-1202), from the published exam objectives.

The seed migration created these two exams with their domains and no objectives, so an
imported question's objective showed as a bare "Objective 3.1". Idempotent: fills the title of
an existing objective, creates a missing one, and leaves other objectives alone.
"""

from django.db import migrations

TITLES = {
    "a1201": [
        (
            "1.1",
            "Given a scenario, monitor mobile device hardware and use appropriate replacement techniques",
        ),
        ("1.2", "Compare and contrast accessories and connectivity options for mobile devices"),
        (
            "1.3",
            "Given a scenario, configure basic mobile device network connectivity and provide application support",
        ),
        ("2.1", "Compare and contrast TCP and UDP ports, protocols, and their purposes"),
        ("2.2", "Explain wireless networking technologies"),
        ("2.3", "Summarize services provided by networked hosts"),
        ("2.4", "Explain common network configuration concepts"),
        ("2.5", "Compare and contrast common networking hardware devices"),
        ("2.6", "Given a scenario, configure basic wired/wireless SOHO networks"),
        (
            "2.7",
            "Compare and contrast internet connection types, network types, and their characteristics",
        ),
        ("2.8", "Explain networking tools and their purposes"),
        ("3.1", "Compare and contrast display components and attributes"),
        ("3.2", "Summarize basic cable types and their connectors, features, and purposes"),
        ("3.3", "Compare and contrast RAM characteristics"),
        ("3.4", "Compare and contrast storage devices"),
        ("3.5", "Given a scenario, install and configure motherboards, CPUs, and add-on cards"),
        ("3.6", "Given a scenario, install the appropriate power supply"),
        (
            "3.7",
            "Given a scenario, deploy and configure multifunction devices/printers and settings",
        ),
        ("3.8", "Given a scenario, perform appropriate printer maintenance"),
        ("4.1", "Explain virtualization concepts"),
        ("4.2", "Summarize cloud computing concepts"),
        ("5.1", "Given a scenario, troubleshoot motherboards, RAM, CPUs, and power"),
        ("5.2", "Given a scenario, troubleshoot drive and RAID issues"),
        ("5.3", "Given a scenario, troubleshoot video, projector, and display issues"),
        ("5.4", "Given a scenario, troubleshoot common mobile device issues"),
        ("5.5", "Given a scenario, troubleshoot network issues"),
        ("5.6", "Given a scenario, troubleshoot printer issues"),
    ],
    "a1202": [
        ("1.1", "OS types and their purposes"),
        ("1.2", "OS installations and upgrades"),
        ("1.3", "Features of Windows editions"),
        ("1.4", "Windows operating system features and tools"),
        ("1.5", "Microsoft command-line tools"),
        ("1.6", "Configure Windows settings"),
        ("1.7", "Windows networking features on a client/desktop"),
        ("1.8", "macOS features and tools"),
        ("1.9", "Linux client/desktop features and tools"),
        ("1.10", "Install applications according to requirements"),
        ("1.11", "Install and configure cloud-based productivity tools"),
        ("2.1", "Security measures and their purposes"),
        ("2.2", "Windows OS security settings"),
        ("2.3", "Wireless security protocols and authentication methods"),
        ("2.4", "Malware types and tools/methods for detection, removal, and prevention"),
        ("2.5", "Social engineering attacks, threats, and vulnerabilities"),
        ("2.6", "SOHO malware removal procedures"),
        ("2.7", "Workstation security options and hardening"),
        ("2.8", "Securing mobile devices"),
        ("2.9", "Data destruction and disposal methods"),
        ("2.10", "Security settings on SOHO wireless and wired networks"),
        ("2.11", "Browser security settings"),
        ("3.1", "Troubleshoot Windows OS issues"),
        ("3.2", "Mobile OS and application issues"),
        ("3.3", "Mobile OS and application security issues"),
        ("3.4", "PC security issues"),
        ("4.1", "Documentation and support systems information management"),
        ("4.2", "Change management procedures"),
        ("4.3", "Workstation backup and recovery methods"),
        ("4.4", "Safety procedures"),
        ("4.5", "Environmental impacts and local environment controls"),
        ("4.6", "Prohibited content/activity, privacy, licensing, and policy"),
        ("4.7", "Communication techniques and professionalism"),
        ("4.8", "Basics of scripting"),
        ("4.9", "Remote access technologies"),
        ("4.10", "Basic concepts related to artificial intelligence (AI)"),
    ],
}


def titles_fill(apps, schema_editor):
    Exam = apps.get_model("questions", "Exam")
    Domain = apps.get_model("questions", "Domain")
    Objective = apps.get_model("questions", "Objective")
    for slug, objectives in TITLES.items():
        exam = Exam.objects.filter(slug=slug).first()
        if exam is None:
            continue
        domains = {domain.number: domain for domain in Domain.objects.filter(exam=exam)}
        for code, title in objectives:
            major, minor = (int(part) for part in code.split("."))
            domain = domains.get(major)
            if domain is None:
                continue
            Objective.objects.update_or_create(
                domain=domain, code=code, defaults={"title": title, "sort_minor": minor}
            )


class Migration(migrations.Migration):
    dependencies = [("questions", "0005_question_search_trigram")]

    operations = [migrations.RunPython(titles_fill, migrations.RunPython.noop)]
