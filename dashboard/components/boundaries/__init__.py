"""The boundary editor's parts: who may edit, the draft state, the edit actions, the map, the side panel and the review of a draft."""
