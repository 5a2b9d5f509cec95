# Tables arrive with their issues (see DESIGN §3 for what this app will own).
