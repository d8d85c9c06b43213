"""Scales and the vocabulary (departments, roles, skills, tools, names) of the synthetic PMO."""
from __future__ import annotations

from datetime import date

DEFAULT_END = date(2026, 11, 20)

# employees, projects, years of history
SCALES = {
    "demo": dict(employees=150, projects=40, years=2),
    "medium": dict(employees=1000, projects=400, years=2),
    "large": dict(employees=5000, projects=2000, years=3),
    "xlarge": dict(employees=20000, projects=8000, years=3),
}

CAUSES = ("over_allocation", "skill_gap", "training_gap", "estimation", "turnover", "scope_creep")

DEPARTMENTS = ["Engineering", "IT Operations", "Finance", "Marketing", "Operations", "Human Resources"]
DEPT_WEIGHTS = [0.30, 0.18, 0.14, 0.14, 0.14, 0.10]

# role -> (hourly cost base, seniority 1..5, skills; the first ones are the role's core skills)
ROLES = {
    "Software Engineer": (62, 3, ["python", "java", "javascript", "sql", "testing", "cloud"]),
    "Senior Software Engineer": (84, 4, ["java", "python", "architecture", "javascript", "cloud", "sql"]),
    "QA Engineer": (55, 3, ["testing", "python", "sql", "javascript"]),
    "Solution Architect": (104, 5, ["architecture", "cloud", "security", "java"]),
    "UX Designer": (66, 3, ["ux_design", "user_research", "javascript"]),
    "Business Analyst": (70, 3, ["business_analysis", "process_improvement", "sql", "data_analysis"]),
    "Systems Engineer": (62, 3, ["linux", "networking", "cloud", "python"]),
    "Network Engineer": (66, 3, ["networking", "security", "linux"]),
    "Security Analyst": (80, 4, ["security", "networking", "linux", "python"]),
    "Cloud Engineer": (78, 4, ["cloud", "linux", "python", "security"]),
    "Financial Analyst": (64, 3, ["financial_modeling", "data_analysis", "accounting", "sql"]),
    "Accountant": (52, 3, ["accounting", "compliance", "financial_modeling"]),
    "Data Analyst": (60, 3, ["data_analysis", "sql", "data_visualization", "python"]),
    "Marketing Specialist": (50, 3, ["digital_marketing", "seo", "content_writing", "data_analysis"]),
    "Content Writer": (45, 3, ["content_writing", "seo", "digital_marketing"]),
    "Process Analyst": (58, 3, ["process_improvement", "lean", "business_analysis", "data_analysis"]),
    "Operations Specialist": (44, 3, ["logistics", "procurement", "process_improvement"]),
    "HR Specialist": (46, 3, ["hr_policy", "compliance", "change_management"]),
    "Recruiter": (48, 3, ["recruiting", "hr_policy"]),
    "Project Manager": (82, 4, ["project_management", "stakeholder_management", "risk_management", "change_management"]),
    "Team Lead": (90, 4, ["project_management", "stakeholder_management"]),
    "Head of Department": (120, 5, ["stakeholder_management", "project_management"]),
}

# department -> its specialist roles and their weights (heads, team leads and PMs come on top)
DEPT_ROLES = {
    "Engineering": {"Software Engineer": 40, "Senior Software Engineer": 20, "QA Engineer": 15,
                    "Solution Architect": 6, "UX Designer": 9, "Business Analyst": 10},
    "IT Operations": {"Systems Engineer": 35, "Network Engineer": 20, "Security Analyst": 15,
                      "Cloud Engineer": 20, "Business Analyst": 10},
    "Finance": {"Financial Analyst": 40, "Accountant": 30, "Data Analyst": 15, "Business Analyst": 15},
    "Marketing": {"Marketing Specialist": 35, "Content Writer": 20, "Data Analyst": 15,
                  "UX Designer": 15, "Business Analyst": 15},
    "Operations": {"Process Analyst": 35, "Operations Specialist": 30, "Data Analyst": 15, "Business Analyst": 20},
    "Human Resources": {"HR Specialist": 45, "Recruiter": 25, "Data Analyst": 10, "Business Analyst": 20},
}

SKILLS = sorted({s for _, _, skills in ROLES.values() for s in skills})

# skill -> task name templates; {o} is a department-specific object
TASK_TEMPLATES = {
    "python": ["Implement {o} service", "Automate {o} workflow", "Fix {o} defects"],
    "java": ["Develop {o} module", "Refactor {o} module"],
    "javascript": ["Build {o} front end", "Update {o} user interface"],
    "sql": ["Build {o} reporting views", "Migrate {o} data"],
    "testing": ["Test {o} release", "Write {o} test cases", "Regression test {o}"],
    "cloud": ["Provision {o} cloud environment", "Move {o} to the cloud"],
    "architecture": ["Design {o} architecture", "Review {o} solution design"],
    "ux_design": ["Design {o} screens", "Prototype {o} journey"],
    "user_research": ["Interview users about {o}", "Run {o} usability test"],
    "business_analysis": ["Gather {o} requirements", "Write {o} user stories"],
    "process_improvement": ["Map {o} process", "Redesign {o} process"],
    "data_analysis": ["Analyse {o} data", "Define {o} KPIs"],
    "data_visualization": ["Build {o} dashboard"],
    "linux": ["Patch {o} servers", "Harden {o} hosts"],
    "networking": ["Configure {o} network", "Upgrade {o} firewall"],
    "security": ["Run {o} security review", "Fix {o} vulnerabilities"],
    "financial_modeling": ["Model {o} scenarios", "Build {o} cost model"],
    "accounting": ["Reconcile {o} accounts", "Prepare {o} journal entries"],
    "compliance": ["Check {o} compliance", "Document {o} controls"],
    "digital_marketing": ["Plan {o} campaign", "Set up {o} ads"],
    "seo": ["Optimise {o} pages for search"],
    "content_writing": ["Write {o} copy", "Edit {o} content"],
    "lean": ["Run {o} kaizen workshop"],
    "logistics": ["Plan {o} routes", "Set up {o} shipping"],
    "procurement": ["Run {o} tender", "Negotiate {o} contract"],
    "hr_policy": ["Draft {o} policy", "Update {o} guidelines"],
    "recruiting": ["Hire for {o} team", "Screen {o} candidates"],
    "change_management": ["Prepare {o} change plan", "Train users on {o}"],
    "project_management": ["Plan {o} phase", "Report {o} status", "Run {o} risk review"],
    "stakeholder_management": ["Align {o} stakeholders", "Run {o} steering meeting"],
    "risk_management": ["Assess {o} risks"],
}

DEPT_OBJECTS = {
    "Engineering": ["billing", "checkout", "search", "user account", "notification", "reporting", "API gateway", "mobile app"],
    "IT Operations": ["VPN", "backup", "monitoring", "e-mail", "identity", "data centre", "service desk", "laptop fleet"],
    "Finance": ["budgeting", "forecast", "month-end close", "invoicing", "treasury", "audit", "expense"],
    "Marketing": ["campaign", "website", "newsletter", "brand", "social media", "events", "loyalty"],
    "Operations": ["warehouse", "supplier", "fulfilment", "inventory", "logistics", "quality"],
    "Human Resources": ["onboarding", "payroll", "performance review", "learning", "benefits", "recruiting"],
}

PROJECT_NAMES = {
    "Engineering": (["Customer Portal", "Payments API", "Mobile App", "Data Platform", "Search Service",
                     "Order Management", "Identity Service", "Partner API"],
                    ["Rebuild", "Migration", "v2", "Modernisation", "Launch", "Phase 2"]),
    "IT Operations": (["Data Centre", "Network", "Service Desk", "Backup", "Endpoint", "Cloud Landing Zone",
                       "Identity Management", "Monitoring"],
                      ["Consolidation", "Refresh", "Upgrade", "Migration", "Rollout", "Hardening"]),
    "Finance": (["ERP", "Month-End Close", "Budgeting", "Invoice Processing", "Treasury", "Expense Management"],
                ["Automation", "Upgrade", "Redesign", "Rollout", "Harmonisation"]),
    "Marketing": (["Website", "Brand", "CRM", "Loyalty Programme", "Campaign Analytics", "Product Launch"],
                  ["Relaunch", "Refresh", "Rollout", "Redesign", "Expansion"]),
    "Operations": (["Warehouse", "Supplier Portal", "Fulfilment", "Inventory", "Quality Management", "Fleet"],
                   ["Optimisation", "Automation", "Rollout", "Redesign", "Consolidation"]),
    "Human Resources": (["Onboarding", "Payroll", "Learning Platform", "Performance Review", "HR Portal"],
                        ["Redesign", "Migration", "Rollout", "Refresh"]),
}

SPONSORS = {
    "Engineering": ["CTO", "VP Engineering", "Chief Product Officer"],
    "IT Operations": ["CIO", "CTO", "Head of Infrastructure"],
    "Finance": ["CFO", "Financial Controller"],
    "Marketing": ["CMO", "VP Sales"],
    "Operations": ["COO", "VP Supply Chain"],
    "Human Resources": ["CHRO", "COO"],
}

# department -> tools it may roll out (a project-management or collaboration tool each)
DEPT_TOOLS = {
    "Engineering": ["Jira", "Confluence", "Miro"],
    "IT Operations": ["ServiceNow", "Jira", "Microsoft Teams"],
    "Finance": ["Smartsheet", "Power BI", "Microsoft Teams"],
    "Marketing": ["Asana", "Miro", "Monday.com"],
    "Operations": ["Smartsheet", "Power BI", "Monday.com"],
    "Human Resources": ["Asana", "Notion", "Microsoft Teams"],
}
TOOLS = sorted({t for ts in DEPT_TOOLS.values() for t in ts})

SKILL_COURSES = {
    "sql": "Advanced SQL", "python": "Python for Professionals", "cloud": "Cloud Foundations",
    "security": "Secure Coding", "testing": "Test Automation", "architecture": "Architecture Patterns",
    "project_management": "Agile Project Management", "data_visualization": "Data Storytelling",
    "financial_modeling": "Financial Modelling Masterclass", "procurement": "Negotiation Skills",
    "change_management": "Change Leadership", "user_research": "UX Research Methods",
    "lean": "Lean Six Sigma Yellow Belt", "seo": "SEO Fundamentals", "business_analysis": "Business Analysis Essentials",
    "risk_management": "Risk Management Practitioner", "networking": "Network Automation",
}

FIRST_NAMES = [
    "Aisha", "Alejandro", "Amara", "Anna", "Arjun", "Ben", "Carlos", "Chen", "Clara", "Daniel", "Dmitri",
    "Elena", "Emeka", "Emma", "Fatima", "Felix", "Grace", "Hana", "Hugo", "Ines", "Isaac", "Jana", "Jonas",
    "Julia", "Kai", "Kenji", "Laila", "Lars", "Lea", "Lucas", "Maria", "Mateo", "Mei", "Mohammed", "Nadia",
    "Nina", "Noah", "Olga", "Omar", "Paula", "Pedro", "Priya", "Rafael", "Rosa", "Samir", "Sara", "Sofia",
    "Tariq", "Thomas", "Tomas", "Valentina", "Victor", "Wei", "Yara", "Yusuf", "Zoe", "Liam", "Ava", "Ravi", "Ingrid",
]
LAST_NAMES = [
    "Adeyemi", "Almeida", "Andersson", "Becker", "Bianchi", "Chen", "Costa", "Dubois", "Eriksen", "Fischer",
    "Garcia", "Gomez", "Hansen", "Haddad", "Ivanova", "Jansen", "Kaur", "Kim", "Kowalski", "Lambert", "Larsen",
    "Lopez", "Martin", "Meyer", "Moreau", "Mueller", "Nakamura", "Novak", "Nowak", "Okafor", "Olsen", "Patel",
    "Pereira", "Petrov", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Smith", "Sousa", "Tanaka", "Virtanen",
    "Wagner", "Walker", "Wang", "Weber", "Williams", "Yilmaz", "Zhang", "Nguyen", "Brown", "Khan", "Horvat",
]
